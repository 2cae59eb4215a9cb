# Common Ground: `make run` to try it, `make test` to check it.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := lms

.PHONY: run test install install-test check-courses screenshots

# Re-install whenever the dependencies change. `make run` needs only what the site runs on;
# the test tools (a browser driver among them) come with `make test`.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test,lrs]"
	touch $@

install: $(BIN)/.installed
install-test: $(BIN)/.installed-test

# One Python process: bring the database up to date, load the demo data into an empty
# database, and serve. `make run PORT=8000` picks another port (macOS keeps 5000 for AirPlay).
run: install
	$(BIN)/flask serve --host $(HOST) --port $(PORT)

# The suite shares the two cores (pytest-xdist): each worker has its own databases, live
# server and browser; an idle worker takes tests queued for the other (worksteal), so the
# slow browser tests never leave one core waiting at the end.
test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --dist worksteal

check-courses: install
	$(BIN)/flask courses check --verbose

# README pictures: the learner home, a lesson on a phone, the supervisor view, a certificate.
screenshots: install-test
	$(BIN)/python -m tests.e2e.screenshots

# Benchmarks (docs/performance.md): starts PostgreSQL like .ci/run (needs root); 4-7 minutes.
.PHONY: bench
bench: install-test
	$(BIN)/python -m bench.run_all
