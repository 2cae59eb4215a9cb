"""Fixtures: an app on a real database built by the migrations, on SQLite and PostgreSQL.

Every test that uses `app` runs on SQLite, and again on PostgreSQL when
TEST_DATABASE_URL is set (CI sets it), so both databases are always covered.

Building an app costs about 0.1 s (werkzeug compiles every route), so each database has one
app for the whole run. After each test it is put back as it was built: every table emptied,
its settings and extensions restored, its caches and rate-limit counts dropped. A test that
needs other settings from the start asks `make_app` for an app of its own.
"""

import copy
import os
import re
import shutil
import subprocess
import time

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from lms import create_app
from lms.config import TestConfig
from lms.extensions import db, limiter
from lms.models import Agency, Team
from lms.services.accounts import create_user
from lms.web import kept_pages
from tests.smtp import free_port, stop_shared_server

PASSWORD = "correct-horse-battery"
FIXTURE_COURSES = TestConfig.COURSES_DIR
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def make_config(database_url, **overrides):
    return type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})


def worker_database(url: str) -> str:
    """With pytest-xdist (`-n 2`), each worker gets a database of its own beside this one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    server = sa.make_url(url).set(drivername="postgresql+psycopg")
    name = f"{server.database}_{worker}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory):
    """Build each database once, through the migrations (never create_all)."""
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"}
    if "postgresql" in BACKENDS:
        urls["postgresql"] = worker_database(os.environ["TEST_DATABASE_URL"])
    for backend, url in urls.items():
        app = create_app(make_config(url))
        with app.app_context():
            if backend == "postgresql":
                with db.engine.begin() as connection:
                    connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            upgrade()
            db.engine.dispose()
    return urls


@pytest.fixture(params=[pytest.param(b, marks=[pytest.mark.postgresql] if b == "postgresql" else []) for b in BACKENDS])
def backend(request):
    return request.param


class SharedApp:
    """One app on one database, put back as it was built after each test."""

    def __init__(self, database_url):
        self.app = create_app(make_config(database_url))
        self.settings = copy.deepcopy(dict(self.app.config))  # a test may change a list or dict in place
        self.extensions = dict(self.app.extensions)

    def reset(self):
        app = self.app
        with app.app_context():
            with db.engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())
        app.config.clear()
        app.config.update(copy.deepcopy(self.settings))
        app.extensions.clear()
        app.extensions.update(self.extensions)  # caches a test filled lazily (setdefault) are gone
        kept_pages.init_app(app)  # an empty page cache
        # The one Limiter follows the last app it was bound to (perhaps another test's): bind it
        # back to this one, with fresh counts.
        limiter.init_app(app)

    def close(self):
        with self.app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def shared_apps(database_urls):
    apps = {}
    yield apps
    for shared in apps.values():
        shared.close()


@pytest.fixture
def app(shared_apps, database_urls, backend):
    """The app, with no context pushed: each request gets its own, as in production.

    Tests that touch the database directly use `with app.app_context():`. Changes a test makes
    to `app.config` or `app.extensions` last until the test ends.
    """
    if backend not in shared_apps:
        shared_apps[backend] = SharedApp(database_urls[backend])
    shared = shared_apps[backend]
    try:
        yield shared.app
    finally:
        shared.reset()


@pytest.fixture
def make_app(database_urls, backend):
    """Another app on the same database, with other settings; its connections are closed after."""
    made = []

    def make(**overrides):
        made.append(create_app(make_config(database_urls[backend], **overrides)))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def agency(app):
    with app.app_context():
        agency = Agency(name="Test Agency")
        db.session.add(agency)
        db.session.commit()
        return agency


@pytest.fixture
def teams(app, agency):
    with app.app_context():
        teams = {name: Team(agency_id=agency.id, name=name) for name in ("North", "South")}
        db.session.add_all(teams.values())
        db.session.commit()
        return teams


@pytest.fixture
def make_user(app, agency, teams):
    """Create and commit a user; the returned object is detached (use its plain fields)."""
    counter = iter(range(1, 10_000))

    def make(*roles, team="North", email=None, agency_id=None):
        with app.app_context():
            user = create_user(
                db.session.get(Agency, agency_id or agency.id),
                email or f"{'-'.join(roles) or 'user'}{next(counter)}@example.org",
                "Test " + (" ".join(roles).title() or "User"),
                roles,
                PASSWORD,
                db.session.get(Team, teams[team].id) if team else None,
            )
            db.session.commit()
            return user

    return make


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis server on a free loopback port, for the whole session (no data on disk)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("REDIS IS MISSING: redis-server is not installed (apt-get install redis-server); shared-limit tests did not run")
    import redis

    for _ in range(5):  # another process may take the free port first: then redis exits, and we try another
        port = free_port()
        process = subprocess.Popen(
            [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 10
        while process.poll() is None:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    process.kill()
                    raise
                time.sleep(0.05)
        client.close()
        if process.poll() is None:
            break
    else:
        pytest.fail("redis-server did not start on a free port")
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def csrf_token_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user, password=PASSWORD):
        page = self.client.get("/auth/login").get_data(as_text=True)
        return self.client.post("/auth/login", data={"email": user.email, "password": password, "csrf_token": csrf_token_from(page)})

    def token(self, path="/learn/"):
        return csrf_token_from(self.client.get(path).get_data(as_text=True))


@pytest.fixture
def auth(client):
    return Auth(client)


def pytest_unconfigure(config):
    stop_shared_server()


def pytest_terminal_summary(terminalreporter):
    """Say how many tests ran on PostgreSQL, so CI shows it really covered both databases."""
    # The database fixture marks its PostgreSQL runs; the fleet test is marked as a whole.
    passed = [r for r in terminalreporter.stats.get("passed", []) if "postgresql" in r.keywords]
    failed = [r for r in terminalreporter.stats.get("failed", []) if "postgresql" in r.keywords]
    if "postgresql" in BACKENDS:
        terminalreporter.write_line(f"PostgreSQL: {len(passed)} tests passed, {len(failed)} failed")
    else:
        terminalreporter.write_line("PostgreSQL: not tested (TEST_DATABASE_URL is not set)")
