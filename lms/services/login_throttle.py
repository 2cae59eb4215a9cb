"""Back-off after failed logins, per account and client, shared by every worker through the
database (lms.domain.throttle has the policy). Flushes; the caller commits."""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import datetime, timezone

import sqlalchemy as sa

from lms.domain.throttle import BackoffPolicy
from lms.extensions import db
from lms.models import LoginThrottle, utcnow
from lms.services.upsert import insert_on_conflict

# Rows this much older than their window are forgotten when the next failure is recorded.
FORGET_AFTER_WINDOWS = 4


def throttle_key(secret: str, email: str, client: str) -> str:
    message = f"{(email or '').strip().lower()}\n{client or ''}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time here is UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def seconds_to_wait(key: str, now: datetime | None = None) -> int:
    """0 when this account may be tried from this client now."""
    now = now or utcnow()
    blocked_until = _aware(db.session.scalar(sa.select(LoginThrottle.blocked_until).where(LoginThrottle.key == key)))
    if blocked_until is None or blocked_until <= now:
        return 0
    return math.ceil((blocked_until - now).total_seconds())


def record_failure(key: str, policy: BackoffPolicy, now: datetime | None = None) -> int:
    """Count a failure (atomically, whatever other workers do at once); returns the wait in seconds."""
    now = now or utcnow()
    statement = insert_on_conflict(LoginThrottle).values(key=key, failures=1, last_failure_at=now, blocked_until=None)
    window_passed = LoginThrottle.last_failure_at < now - policy.window
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["key"],
            set_={"failures": sa.case((window_passed, 1), else_=LoginThrottle.failures + 1), "last_failure_at": now},
        )
    )
    failures = db.session.scalar(sa.select(LoginThrottle.failures).where(LoginThrottle.key == key))
    wait = policy.wait_after(failures)
    db.session.execute(sa.update(LoginThrottle).where(LoginThrottle.key == key).values(blocked_until=now + wait if wait else None))
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - policy.window * FORGET_AFTER_WINDOWS))
    return math.ceil(wait.total_seconds())


def forget(key: str) -> None:
    """A successful login from this client clears its count."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key))
