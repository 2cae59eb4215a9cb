"""Admins: the audit log of admin actions, filterable, newest first; the mail outbox."""

from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user

from lms.domain.roles import ADMIN
from lms.extensions import db
from lms.models import AuditEvent, User
from lms.services import outbox
from lms.web.access import role_required
from lms.web.admin import bp

PAGE_SIZE = 100


# Dates outside these years are typing mistakes; they would also overflow date arithmetic.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(9998, 12, 31)
MAX_PAGE = 100_000


class BadFilter(ValueError):
    pass


def _day(text, label):
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadFilter(f"“{label}” must be a date, like 2026-03-01.") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadFilter(f"“{label}” must be a date between {FIRST_DAY.year} and {LAST_DAY.year}.")
    return day


def _page(text):
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise BadFilter(f"The page number must be a whole number from 1 to {MAX_PAGE:,}.")
    return int(text)


def _filters(args):
    since, until = _day(args.get("from"), "From"), _day(args.get("to"), "To")
    if since and until and since > until:
        raise BadFilter("“From” must be on or before “To”.")
    page = _page(args.get("page", "1")[:12])
    return since, until, page


@bp.get("/audit")
@role_required(ADMIN)
def audit_log():
    agency_id = current_user.agency_id
    action = request.args.get("action", "")
    actor = request.args.get("actor", "")
    try:
        since, until, page = _filters(request.args)
        error = None
    except BadFilter as bad:
        since, until, page, error = None, None, 1, str(bad)
    query = (
        sa.select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.agency_id == agency_id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    if action:
        query = query.where(AuditEvent.action == action)
    if actor.isdigit() and len(actor) < 10:  # an id, not a number too big for the database
        query = query.where(AuditEvent.actor_id == int(actor))
    if since:
        query = query.where(AuditEvent.created_at >= datetime.combine(since, time.min, timezone.utc))
    if until:
        query = query.where(AuditEvent.created_at < datetime.combine(until + timedelta(days=1), time.min, timezone.utc))
    events = [] if error else db.session.execute(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.agency_id == agency_id).distinct().order_by(AuditEvent.action)
    ).all()
    actors = db.session.execute(
        sa.select(User.id, User.name)
        .where(User.id.in_(sa.select(AuditEvent.actor_id).where(AuditEvent.agency_id == agency_id)))
        .order_by(User.name)
    ).all()
    return render_template(
        "admin/audit.html",
        events=events[:PAGE_SIZE],
        has_more=len(events) > PAGE_SIZE,
        page=page,
        actions=actions,
        actors=actors,
        filters={"action": action, "actor": actor, "from": request.args.get("from", ""), "to": request.args.get("to", "")},
        error=error,
    ), 422 if error else 200


@bp.get("/mail")
@role_required(ADMIN)
def mail_outbox():
    return render_template(
        "admin/mail.html", mails=outbox.agency_mail(current_user.agency_id), counts=outbox.status_counts(current_user.agency_id),
        max_attempts=outbox.MAX_ATTEMPTS,
    )
