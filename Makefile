# Common Ground: `make run` to try it, `make test` to check it.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export FLASK_APP := lms

.PHONY: run test install check-courses

# Re-install whenever the dependencies change.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/python -m pytest

check-courses: install
	$(BIN)/flask courses check --verbose

# Benchmarks (docs/performance.md): starts PostgreSQL like .ci/run (needs root); 4-7 minutes.
.PHONY: bench
bench: install
	$(BIN)/python -m bench.run_all
