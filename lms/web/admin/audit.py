"""Admins: the audit log of admin actions, filterable, newest first."""

from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user

from lms.domain.roles import ADMIN
from lms.extensions import db
from lms.models import AuditEvent, User
from lms.web.access import role_required
from lms.web.admin import bp

PAGE_SIZE = 100


def _day(text):
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


@bp.get("/audit")
@role_required(ADMIN)
def audit_log():
    agency_id = current_user.agency_id
    action = request.args.get("action", "")
    actor = request.args.get("actor", "")
    since, until = _day(request.args.get("from")), _day(request.args.get("to"))
    query = (
        sa.select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.agency_id == agency_id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    if action:
        query = query.where(AuditEvent.action == action)
    if actor.isdigit():
        query = query.where(AuditEvent.actor_id == int(actor))
    if since:
        query = query.where(AuditEvent.created_at >= datetime.combine(since, time.min, timezone.utc))
    if until:
        query = query.where(AuditEvent.created_at < datetime.combine(until + timedelta(days=1), time.min, timezone.utc))
    page = max(int(request.args.get("page", "1")) if request.args.get("page", "1").isdigit() else 1, 1)
    events = db.session.execute(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
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
    )
