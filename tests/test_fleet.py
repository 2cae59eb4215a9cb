"""A fleet: PostgreSQL, Redis, two gunicorn app servers (2 workers each, with the
repository's gunicorn.conf.py, in production mode) and a mail worker, all on loopback.

A client alternating between the two servers shows that the limits, the login back-off,
ended sessions and the outbox hold across every worker and server, and that restarting a
server loses nothing. Select it alone with `pytest -m fleet`. Skipped, loudly, only where
redis-server or PostgreSQL (TEST_DATABASE_URL) is missing.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from lms import create_app
from lms.config import PROJECT_ROOT
from lms.extensions import db
from lms.models import Agency, OutgoingMail
from lms.services.accounts import create_user
from tests.conftest import FIXTURE_COURSES, PASSWORD, TestConfig, make_config
from tests.smtp import free_port, smtp_server

pytestmark = [pytest.mark.fleet, pytest.mark.postgresql]

VERIFY_LIMIT = 10
START_TIMEOUT = 120  # seconds for a server's workers to boot on a busy machine
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


@pytest.fixture(scope="module")
def fleet_database():
    """A database of its own on the TEST_DATABASE_URL server, built by the migrations."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("POSTGRESQL IS MISSING: TEST_DATABASE_URL is not set, so the fleet test did not run")
    if shutil.which("redis-server") is None:
        pytest.skip("REDIS IS MISSING: redis-server is not installed, so the fleet test did not run")
    server = sa.make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    name = f"{server.database}_fleet_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    app = create_app(make_config(url))
    with app.app_context():
        upgrade()
        agency = Agency(name="Fleet Agency")
        db.session.add(agency)
        db.session.flush()
        create_user(agency, "peer@fleet.example.org", "Pat Peer", ["peer"], PASSWORD)
        create_user(agency, "admin@fleet.example.org", "Ada Admin", ["admin"], PASSWORD)
        db.session.commit()
    yield app, url
    with app.app_context():
        db.engine.dispose()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


class Server:
    """One app server: gunicorn -c gunicorn.conf.py, 2 workers, on its own loopback port."""

    def __init__(self, env: dict[str, str]):
        self.port = free_port()
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(PROJECT_ROOT / "gunicorn.conf.py")], cwd=PROJECT_ROOT, env=self.env
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gunicorn exited while starting"
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                connection.request("GET", "/auth/login")
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
            finally:
                connection.close()
        raise RuntimeError(f"gunicorn on port {self.port} did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


class Browser:
    """A person's browser: one session cookie, sent to whichever server it talks to, behind a
    proxy that reports its address in X-Forwarded-For (the servers trust one proxy hop)."""

    def __init__(self, address: str):
        self.address = address
        self.cookie = ""

    def request(self, server: Server, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        headers = {"X-Forwarded-For": self.address}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            if cookie.startswith("session="):
                self.cookie = cookie.split(";")[0]
        return response.status, text

    def token(self, server: Server, path="/auth/login") -> str:
        return CSRF.search(self.request(server, "GET", path)[1]).group(1)

    def login(self, server: Server, email: str, password: str) -> int:
        token = self.token(server)
        return self.request(server, "POST", "/auth/login", {"email": email, "password": password, "csrf_token": token})[0]


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}")


@contextmanager
def running(*processes):
    try:
        yield
    finally:
        for process in processes:
            process.stop() if isinstance(process, Server) else (process.terminate(), process.wait(timeout=30))


def test_two_servers_share_one_truth(fleet_database, redis_url):
    app, database_url = fleet_database
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    with smtp_server() as (inbox, smtp_port):
        env = {
            **os.environ,
            "FLASK_APP": "lms",
            "COMMON_GROUND_ENV": "production",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "fleet-secret-key",
            "ENCRYPTION_KEYS": TestConfig.ENCRYPTION_KEYS,
            "COURSES_DIR": FIXTURE_COURSES,
            "RATELIMIT_STORAGE_URI": redis_url,
            "TRUSTED_PROXIES": "1",
            "LOGIN_RATE_LIMIT": "1000 per minute",
            # Windows and waits longer than a server's restart on a busy machine, so the restart is what is tested.
            "VERIFY_RATE_LIMIT": f"{VERIFY_LIMIT} per hour",
            "LOGIN_FAILURE_LIMIT": "3 per 15 minutes",
            "LOGIN_FIRST_WAIT_SECONDS": "900",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "PUBLIC_BASE_URL": "https://training.fleet.example",
        }
        first, second = Server(env), Server(env)
        first.start()
        second.start()
        mail_workers = [
            subprocess.Popen(
                [sys.executable, "-m", "flask", "mail", "send", "--loop", "--interval", "0.5"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            for _ in range(2)
        ]
        with running(first, second, *mail_workers):
            servers = [first, second]

            # The verify limit holds at its number in total, across 2 servers × 2 workers.
            visitor = Browser("192.0.2.10")
            answers = [visitor.request(servers[n % 2], "GET", "/verify")[0] for n in range(3 * VERIFY_LIMIT)]
            assert answers == [200] * VERIFY_LIMIT + [429] * (2 * VERIFY_LIMIT)

            # Login back-off counts failures from every server, as one worker would.
            attacker = Browser("203.0.113.66")
            tries = [attacker.login(servers[n % 2], "admin@fleet.example.org", "guess") for n in range(4)]
            assert tries == [401, 401, 401, 429]
            assert attacker.login(second, "admin@fleet.example.org", PASSWORD) == 429
            owner = Browser("198.51.100.7")  # the real admin, elsewhere, is not locked out
            assert owner.login(first, "admin@fleet.example.org", PASSWORD) == 303
            assert owner.request(second, "GET", "/admin/")[0] == 200

            # A session ended on one server is refused by the other.
            peer = Browser("198.51.100.8")
            assert peer.login(first, "peer@fleet.example.org", PASSWORD) == 303
            stolen = Browser("203.0.113.99")
            stolen.cookie = peer.cookie
            assert stolen.request(second, "GET", "/learn/")[0] == 200
            token = peer.token(first, "/learn/")
            assert peer.request(first, "POST", "/auth/logout", {"csrf_token": token})[0] == 303
            assert stolen.request(second, "GET", "/learn/")[0] == 302
            assert stolen.request(first, "GET", "/learn/")[0] == 302

            # A mail queued by one server is sent once, by one of the two mail workers.
            forgetful = Browser("198.51.100.9")
            token = forgetful.token(second, "/auth/reset")
            assert forgetful.request(second, "POST", "/auth/reset", {"email": "peer@fleet.example.org", "csrf_token": token})[0] == 303
            wait_for(lambda: len(inbox.messages) >= 1, 30, "the reset mail")
            time.sleep(2)  # several more rounds of both workers
            assert [message["to"] for message in inbox.messages] == [["peer@fleet.example.org"]]
            assert "https://training.fleet.example/auth/reset/" in inbox.bodies(0)[0]

            # Restarting a server loses nothing: counts, back-off, sessions and mail are shared state.
            first.stop()
            first.start()
            assert visitor.request(first, "GET", "/verify")[0] == 429
            assert attacker.login(first, "admin@fleet.example.org", PASSWORD) == 429
            assert stolen.request(first, "GET", "/learn/")[0] == 302
            assert owner.request(first, "GET", "/admin/")[0] == 200  # a live session survives the restart
            with app.app_context():
                statuses = db.session.scalars(sa.select(OutgoingMail.status)).all()
            assert statuses == ["sent"]
