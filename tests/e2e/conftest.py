"""Real-browser tests: the site served on a free local port, driven by Debian's Chromium.

- `live_server` (session): the app on a temporary SQLite *file* built by the migrations,
  served by werkzeug in a daemon thread on 127.0.0.1; CSRF stays on, as for real users.
  `serve_site(database, **settings)` serves another such site, with other settings (courses).
- `browser` (session): one headless Chromium for the whole run.
- `new_context` / `page`: a fresh browser context per test (no shared cookies or storage),
  traced; on failure the trace and a screenshot of every open page are saved under
  test-artifacts/e2e/<test>/ (open a trace with `playwright show-trace trace.zip`).
- `make_person`: a fresh user per test, so tests never see each other's progress.
- `viewport`: tests that ask for `page` run at desktop (1280x800) and phone (375x812) size.
- `axe_scan`: runs axe-core (bundled, offline); it returns the serious/critical violations
  for the test to fail on, and lists minor/moderate ones at the end of the run.
- Any exception inside the app, or uncaught JavaScript error in a page, fails the test.

Run only these: `pytest -m e2e`. They need Debian's `chromium`; without it they are skipped
(never `playwright install`: browser downloads are impossible here and unnecessary).
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import threading
import traceback
from contextlib import contextmanager

import pytest
from flask import got_request_exception, request
from flask_migrate import upgrade
from werkzeug.serving import WSGIRequestHandler, make_server

from lms import create_app
from lms.config import TestConfig
from lms.extensions import db
from lms.models import Agency, Team
from lms.services.accounts import create_user
from tests.e2e.support import ARTIFACTS, BROWSER_MISSING, CHROMIUM, CHROMIUM_ARGS, PASSWORD, VIEWPORTS, Person

REPORTS = pytest.StashKey[dict]()
AXE_FINDINGS = pytest.StashKey[list]()
FAILING_IMPACTS = {"serious", "critical"}


class QuietRequestHandler(WSGIRequestHandler):
    """Keeps werkzeug's error logging but drops the one-line-per-request access log."""

    def log_request(self, code="-", size="-"):
        pass


class LiveServer:
    def __init__(self, app, url, agency_id, team_id):
        self.app, self.url, self.agency_id, self.team_id = app, url, agency_id, team_id
        self.errors = []  # tracebacks of exceptions raised while serving a request
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        got_request_exception.connect(self._record, app)

    def _record(self, sender, exception, **extra):
        self.errors.append(f"{request.method} {request.full_path}\n" + "".join(traceback.format_exception(exception)))

    def make_person(self, *roles: str) -> Person:
        with self._lock:
            number = next(self._numbers)
        with self.app.app_context():
            user = create_user(
                db.session.get(Agency, self.agency_id),
                f"{'-'.join(roles)}-{number}@e2e.example.org",
                f"Sam {'-'.join(roles).title()} {number}",
                roles,
                PASSWORD,  # hashed the test configuration's cheap way
                db.session.get(Team, self.team_id),
            )
            db.session.commit()
            return Person(email=user.email, name=user.name)


@contextmanager
def serve_site(database, **settings):
    """The app on a new SQLite file built by the migrations, with one agency and team, served
    on a free local port; yields its LiveServer. settings: more configuration (COURSES_DIR …)."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "WTF_CSRF_ENABLED": True,  # a real browser sends the tokens, as a person's would
        "PROPAGATE_EXCEPTIONS": False,  # a crash shows the site's own 500 page (and fails the test, below)
        # Every test logs in from 127.0.0.1. (Not RATELIMIT_ENABLED=False: Flask-Limiter keeps
        # that on its one shared Limiter, so it would switch limits off for the other tests too.)
        "LOGIN_RATE_LIMIT": "10000 per minute",
        **settings,
    }
    config = type("E2EConfig", (TestConfig,), settings)
    app = create_app(config)
    with app.app_context():
        upgrade()
        agency = Agency(name="Riverside Community Services")
        db.session.add(agency)
        db.session.flush()
        team = Team(agency_id=agency.id, name="Peer Support Team")
        db.session.add(team)
        db.session.commit()
        agency_id, team_id = agency.id, team.id
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    # Certificates, credentials and emails link to the site as it is really served.
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", agency_id, team_id)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    with serve_site(tmp_path_factory.mktemp("e2e") / "site.sqlite") as server:
        yield server


@pytest.fixture(autouse=True)
def no_server_errors(live_server):
    """Any exception inside the app while a test ran fails that test, with the traceback."""
    live_server.errors.clear()
    yield
    errors, live_server.errors[:] = list(live_server.errors), []
    assert not errors, "the app raised while serving this test:\n" + "\n".join(errors)


@pytest.fixture(scope="session")
def browser(live_server):
    """One Chromium for the session; it depends on the server so it closes first."""
    if BROWSER_MISSING:  # the test modules skip first; this guards direct use of the fixture
        pytest.skip(BROWSER_MISSING)
    from playwright.sync_api import sync_playwright

    shutil.rmtree(ARTIFACTS / "e2e", ignore_errors=True)  # only this run's failures are left there
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def make_person(live_server):
    return live_server.make_person


@pytest.fixture
def new_context(browser, live_server, request):
    """Make browser contexts for this test: make("desktop" or "phone", **playwright_options);
    base_url=… points a context at another site than live_server."""
    made, script_errors = [], []

    def make(size: str = "desktop", **options):
        context = browser.new_context(**{"base_url": live_server.url, **VIEWPORTS[size], **options})
        context.set_default_timeout(10_000)
        context.tracing.start(title=request.node.nodeid, snapshots=True)  # DOM snapshots; a screencast costs too much time
        context.on("weberror", lambda error: script_errors.append(f"{error.page.url if error.page else ''}: {error.error}"))
        made.append(context)
        return context

    yield make
    reports = request.node.stash.get(REPORTS, {})
    failed = any(report.failed for report in reports.values())
    folder = ARTIFACTS / "e2e" / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
    for number, context in enumerate(made, start=1):
        if failed:
            folder.mkdir(parents=True, exist_ok=True)
            for page_number, page in enumerate(context.pages, start=1):
                try:
                    page.screenshot(path=folder / f"context{number}-page{page_number}.png", full_page=True)
                except Exception as error:  # a crashed page must not hide the test's own failure
                    print(f"could not take a screenshot: {error}")
            context.tracing.stop(path=folder / f"context{number}-trace.zip")
            print(f"e2e artifacts: {folder}")
        else:
            context.tracing.stop()
        context.close()
    assert not script_errors, "uncaught JavaScript errors in the page:\n" + "\n".join(script_errors)


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def page(new_context, viewport):
    return new_context(viewport).new_page()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()  # axe-core is bundled in the package: nothing is fetched


@pytest.fixture
def axe_scan(axe, request):
    """axe_scan(page, label) -> the serious/critical violations, as readable text lines.

    Minor and moderate ones are recorded and listed at the end of the run instead.
    """
    findings = request.config.stash.setdefault(AXE_FINDINGS, [])
    callspec = getattr(request.node, "callspec", None)

    def scan(page, label: str) -> list[str]:
        violations = axe.run(page).response["violations"]
        where = f"{label} [{callspec.id if callspec else 'desktop'}]"
        failing = []
        for violation in violations:
            summary = _summary(violation)
            if violation["impact"] in FAILING_IMPACTS:
                failing.append(f"{where}: {json.dumps(summary)}")
            else:
                findings.append({"where": where, **summary})
        return failing

    return scan


def _summary(violation: dict) -> dict:
    return {
        "rule": violation["id"],
        "impact": violation["impact"],
        "help": violation["help"],
        "targets": [" ".join(node["target"]) for node in violation["nodes"]][:5],
    }


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def pytest_terminal_summary(terminalreporter, config):
    if BROWSER_MISSING:  # said loudly, not only in the -ra skip list
        terminalreporter.write_sep("!", BROWSER_MISSING, red=True, bold=True)
    findings = config.stash.get(AXE_FINDINGS, [])
    if findings:
        terminalreporter.write_sep("-", f"axe: {len(findings)} minor/moderate finding(s) (not failures)")
        for finding in findings:
            terminalreporter.write_line(
                f"{finding['impact']:<9} {finding['rule']}: {finding['help']} -- {finding['where']} -- {', '.join(finding['targets'])}"
            )


@pytest.fixture
def user_id(live_server):
    """user_id(person) -> the database id of a Person made by make_person (or imported)."""
    import sqlalchemy as sa

    from lms.models import User

    def find(person: Person) -> int:
        with live_server.app.app_context():
            found = db.session.scalar(sa.select(User.id).where(User.email == person.email))
            assert found is not None, f"no user {person.email}"
            return found

    return find


@pytest.fixture
def make_supervisor(live_server, make_person):
    """A supervisor (no team of their own) linked to the e2e team, as tests/web/test_supervise does."""

    def make() -> Person:
        import sqlalchemy as sa

        from lms.models import User

        person = make_person("supervisor")
        with live_server.app.app_context():
            user = db.session.scalar(sa.select(User).where(User.email == person.email))
            user.team_id = None
            user.supervised_teams.append(db.session.get(Team, live_server.team_id))
            db.session.commit()
        return person

    return make
