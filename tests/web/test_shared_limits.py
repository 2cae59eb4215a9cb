"""Limits that hold for many workers and servers: login back-off in the database (per
account and client, OWASP), Flask-Limiter counts in Redis, and client addresses read
through a configured number of trusted proxies."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.extensions import db
from lms.models import LoginThrottle
from tests.conftest import PASSWORD, csrf_token_from, make_config

OWNER, ATTACKER = "198.51.100.10", "203.0.113.66"


def login_from(app, address, email, password, headers=None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_token_from(client.get("/auth/login", headers=headers or {}).get_data(as_text=True))
    return client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token}, headers=headers or {})


@pytest.fixture
def throttled_app(make_app):
    return make_app(LOGIN_FAILURE_LIMIT="3 per 15 minutes", LOGIN_FIRST_WAIT_SECONDS=30)


def test_an_attacker_cannot_lock_the_owner_out(throttled_app, make_user):
    admin = make_user("admin")
    for _ in range(3):
        assert login_from(throttled_app, ATTACKER, admin.email, "guess").status_code == 401
    assert login_from(throttled_app, ATTACKER, admin.email, "guess").status_code == 429
    # The owner, from a client with no recent failures, gets in with the right password.
    assert login_from(throttled_app, OWNER, admin.email, PASSWORD).status_code == 303
    assert login_from(throttled_app, ATTACKER, admin.email, PASSWORD).status_code == 429  # the attacker still waits


def wait_asked_for(app, email):
    response = login_from(app, ATTACKER, email, "guess")
    assert response.status_code == 429
    return re.search(r"Wait (\d+ \w+)", response.get_data(as_text=True)).group(1)


def let_the_wait_pass(app):
    with app.app_context():
        for row in db.session.scalars(sa.select(LoginThrottle)):
            row.blocked_until -= timedelta(hours=1)
        db.session.commit()


def test_the_wait_doubles_with_each_failure_and_never_becomes_a_lock(throttled_app, make_user):
    peer = make_user("peer")
    for _ in range(3):
        login_from(throttled_app, ATTACKER, peer.email, "guess")
    waits = [wait_asked_for(throttled_app, peer.email)]
    for _ in range(7):
        let_the_wait_pass(throttled_app)
        assert login_from(throttled_app, ATTACKER, peer.email, "guess").status_code == 401  # may try again…
        waits.append(wait_asked_for(throttled_app, peer.email))  # …then waits twice as long
    assert waits == [
        "30 seconds",
        "1 minute",
        "2 minutes",
        "4 minutes",
        "8 minutes",
        "15 minutes",
        "15 minutes",
        "15 minutes",
    ]  # capped at the 15-minute window
    let_the_wait_pass(throttled_app)
    assert login_from(throttled_app, ATTACKER, peer.email, PASSWORD).status_code == 303
    with throttled_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 0  # success forgets


def test_the_wait_survives_a_restart_and_is_seen_by_every_server(throttled_app, make_app, make_user):
    peer = make_user("peer")
    for _ in range(3):
        login_from(throttled_app, ATTACKER, peer.email, "guess")
    another_server = make_app(LOGIN_FAILURE_LIMIT="3 per 15 minutes")
    assert login_from(another_server, ATTACKER, peer.email, PASSWORD).status_code == 429


def test_the_throttle_table_names_no_one(throttled_app, make_user):
    peer = make_user("peer")
    login_from(throttled_app, ATTACKER, peer.email, "guess")
    with throttled_app.app_context():
        [row] = db.session.scalars(sa.select(LoginThrottle)).all()
    assert peer.email not in row.key and ATTACKER not in row.key and len(row.key) == 64


def test_client_addresses_come_through_trusted_proxies_only(make_app, make_user):
    behind_proxy = make_app(TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="2 per minute")
    proxy = "10.0.0.2"
    for visitor in ("192.0.2.1", "192.0.2.2"):
        codes = [login_from(behind_proxy, proxy, f"x{n}@example.org", "x", {"X-Forwarded-For": visitor}).status_code for n in range(3)]
        assert codes == [401, 401, 429], visitor  # each visitor has their own limit, not the proxy's
    direct = make_app(TRUSTED_PROXIES=0, LOGIN_RATE_LIMIT="2 per minute")
    forged = [
        login_from(direct, "192.0.2.50", f"y{n}@example.org", "x", {"X-Forwarded-For": f"192.0.2.{100 + n}"}).status_code for n in range(3)
    ]
    assert forged == [401, 401, 429]  # without a trusted proxy, a forged header changes nothing


def production_config(**settings):
    return make_config("sqlite://", ENVIRONMENT="production", **settings)


def test_production_refuses_per_process_limits_unless_it_is_the_only_worker(redis_url):
    with pytest.raises(RuntimeError, match="counts limits in each process separately"):
        create_app(production_config(RATELIMIT_STORAGE_URI="memory://"))
    create_app(production_config(RATELIMIT_STORAGE_URI="memory://", SINGLE_WORKER=True))
    create_app(production_config(RATELIMIT_STORAGE_URI=redis_url))


def test_limits_are_counted_in_redis_not_in_the_process(make_app, redis_url):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    first = make_app(RATELIMIT_STORAGE_URI=redis_url, VERIFY_RATE_LIMIT="3 per minute")
    client = first.test_client()
    assert [client.get("/verify").status_code for _ in range(3)] == [200, 200, 200]
    # Another process starting afresh (a second worker, or this one restarted) shares the count.
    second = make_app(RATELIMIT_STORAGE_URI=redis_url, VERIFY_RATE_LIMIT="3 per minute")
    assert second.test_client().get("/verify").status_code == 429
    assert any(b"verify" in key for key in redis.Redis.from_url(redis_url).keys())
