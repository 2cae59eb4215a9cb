"""What every benchmark shares: databases, servers, logging in, and printing figures.

A figure is a ratio (or size) against a baseline measured in the same run, printed as
`figure: <name> value=<number> goal<op><number> ok|MISS`. Nothing here asserts timings.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from urllib.parse import urlencode

import sqlalchemy as sa

from lms import create_app
from lms.config import PROJECT_ROOT, Config
from lms.domain.course_loader import load_catalog
from lms.domain.roles import PEER
from lms.extensions import db
from lms.services.accounts import agency_named, create_user
from lms.vault import new_key

ROOT = PROJECT_ROOT
PG_ROLE = "common_ground_bench"
SECRET_KEY = "bench-secret-key"
PASSWORD = "bench-password"
START_TIMEOUT = 120  # seconds for gunicorn's workers to boot
ENCRYPTION_KEY = new_key()  # subprocesses get it through app_env()
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
GOALS = {">=": float.__ge__, "<=": float.__le__}


def figure(name: str, value: float, op: str, goal: float) -> None:
    verdict = "ok" if GOALS[op](float(value), float(goal)) else "MISS"
    print(f"figure: {name} value={number(value)} goal{op}{goal:g} {verdict}", flush=True)


def number(value) -> str:
    return f"{round(value, 2):g}" if isinstance(value, float) else str(value)


def print_table(headers: list[str], rows: list[list]) -> None:
    cells = [headers] + [[number(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print(flush=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


median = statistics.median


def lesson_under_test() -> tuple[str, str, str]:
    """(courses folder, course slug, lesson id): the first lesson of the first peer course in
    courses/, or of the test fixture course when courses/ has none."""
    for folder in (ROOT / "courses", ROOT / "tests" / "fixtures" / "courses"):
        course = next((c for c in load_catalog(folder) if c.is_for({PEER})), None)
        if course is not None:
            return str(folder), course.slug, course.lesson_ids[0]
    raise RuntimeError("no course for peers to benchmark")


def postgres_urls(*databases: str) -> list[str]:
    """Fresh, empty PostgreSQL databases (PostgreSQL is installed and started if need be).

    With BENCH_POSTGRES_URL (a database of a role that may create databases, on a server
    already running), no root is needed: the databases are made on that server, named
    after that database (<its name>_<database>).
    """
    if admin_url := os.environ.get("BENCH_POSTGRES_URL"):
        return [_fresh_database(admin_url, database) for database in databases]
    script = ROOT / "bench" / "start_postgres.sh"
    output = subprocess.run([script, PG_ROLE, *databases], check=True, capture_output=True, text=True).stdout
    return output.split()


def _fresh_database(admin_url: str, database: str) -> str:
    url = sa.engine.make_url(admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{url.database}_{database}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False).replace("+psycopg", "", 1)


def app_env(database_url: str, courses_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "FLASK_APP": "lms",
        "DATABASE_URL": database_url,
        "COURSES_DIR": courses_dir,
        "SECRET_KEY": SECRET_KEY,
        "ENCRYPTION_KEYS": ENCRYPTION_KEY,
    }


def flask_command(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def bench_config(database_url: str, courses_dir: str):
    """Settings like those app_env() gives the servers."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "COURSES_DIR": courses_dir,
        "SECRET_KEY": SECRET_KEY,
        "ENCRYPTION_KEYS": ENCRYPTION_KEY,
        "PDF_RATE_LIMIT": "100000 per minute",
    }  # benchmarks download one person's PDF many times
    return type("BenchConfig", (Config,), settings)


def make_app(database_url: str, courses_dir: str):
    """The app in this process, configured like the servers app_env() starts."""
    return create_app(bench_config(database_url, courses_dir))


def bench_database(database_url: str, courses_dir: str, learners: int):
    """Build the schema with `flask db upgrade` and add peers who log in with PASSWORD.

    Returns the app (in this process) and the learners' emails.
    """
    flask_command(app_env(database_url, courses_dir), "db", "upgrade")
    app = make_app(database_url, courses_dir)
    with app.app_context():
        agency = agency_named("Bench Agency")
        emails = [
            create_user(agency, f"learner{n}@bench.example.org", f"Bench Learner {n}", {PEER}, PASSWORD).email for n in range(learners)
        ]
        db.session.commit()
    return app, emails


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workers: int = 4, with_pid: bool = False):
    """Serve app_spec the way the README says (sync workers) on a free 127.0.0.1 port.

    Yields the port, or (port, gunicorn's process id) when with_pid is set."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(ROOT / "bench" / "gunicorn_sync.conf.py"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app_spec,
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        _wait_until_serving(server, port)
        yield (port, server.pid) if with_pid else port
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def gunicorn_production(env: dict[str, str], workers: int = 2):
    """Serve the app with the repository's gunicorn.conf.py, as the README says, on a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")], cwd=ROOT, env=env)
    try:
        _wait_until_serving(server, port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_serving(server: subprocess.Popen, port: int) -> None:
    """Until a worker answers: workers build the app after the port opens, slowly on a busy machine."""
    deadline = time.monotonic() + START_TIMEOUT
    while server.poll() is None and time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=START_TIMEOUT)
            connection.request("GET", "/auth/login")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn on port {port} did not start")


def http_login(port: int, email: str, password: str) -> str:
    """Log in through the form over HTTP; returns the Cookie header for later requests."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/auth/login")
    response = connection.getresponse()
    token = CSRF.search(response.read().decode()).group(1)
    form = urlencode({"email": email, "password": password, "csrf_token": token})
    connection.request(
        "POST",
        "/auth/login",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": _session_cookie(response),
        },
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 303:
        raise RuntimeError(f"login as {email} failed with HTTP {response.status}")
    return _session_cookie(response)


def _session_cookie(response: http.client.HTTPResponse) -> str:
    cookies = response.headers.get_all("Set-Cookie") or []
    return next(c.split(";")[0] for c in cookies if c.startswith("session="))


def client_login(app, email: str, password: str):
    """A Flask test client, logged in through the form."""
    client = app.test_client()
    token = CSRF.search(client.get("/auth/login").get_data(as_text=True)).group(1)
    response = client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token})
    if response.status_code != 303:
        raise RuntimeError(f"login as {email} failed with HTTP {response.status_code}")
    return client


def queries_for(app, client, path: str, database=db) -> int:
    """How many SQL statements one GET of path runs (database: the app's Flask-SQLAlchemy)."""
    with app.app_context():
        engine = database.engine
    statements = []

    def count(*_):
        statements.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(statements)
