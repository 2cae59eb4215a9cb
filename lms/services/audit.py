"""The admin audit trail: append only, read a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from lms.extensions import db
from lms.models import AuditEvent, User
from lms.services.bulk_insert import insert_rows

PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor_id: int | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    page: int = 1


def record(agency_id: int, actor_id: int | None, action: str, subject: str, **details) -> None:
    db.session.add(AuditEvent(agency_id=agency_id, actor_id=actor_id, action=action, subject=subject, details=details))


def record_many(agency_id: int, actor_id: int | None, action: str, events: list[tuple[str, dict]]) -> None:
    """`record` for each (subject, details), in one batched INSERT: for thousands at once."""
    insert_rows(
        AuditEvent,
        [
            {"agency_id": agency_id, "actor_id": actor_id, "action": action, "subject": subject, "details": details}
            for subject, details in events
        ],
    )


def events_page(agency_id: int, filters: AuditFilters) -> tuple[list, bool]:
    """(up to PAGE_SIZE (event, actor name) rows, newest first; whether more follow)."""
    query = (
        sa.select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.agency_id == agency_id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.since:
        query = query.where(AuditEvent.created_at >= datetime.combine(filters.since, time.min, timezone.utc))
    if filters.until:
        query = query.where(AuditEvent.created_at < datetime.combine(filters.until + timedelta(days=1), time.min, timezone.utc))
    events = db.session.execute(query.limit(PAGE_SIZE + 1).offset((filters.page - 1) * PAGE_SIZE)).all()
    return events[:PAGE_SIZE], len(events) > PAGE_SIZE


def actions_used(agency_id: int) -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.agency_id == agency_id).distinct().order_by(AuditEvent.action))
    )


def actors(agency_id: int) -> list:
    """(id, name) of everyone who has an event in the agency's log, by name."""
    return db.session.execute(
        sa.select(User.id, User.name)
        .where(User.id.in_(sa.select(AuditEvent.actor_id).where(AuditEvent.agency_id == agency_id)))
        .order_by(User.name)
    ).all()
