"""Admins: the audit log of admin actions, filterable, newest first; the mail outbox."""

from datetime import date

from flask import render_template, request
from flask_login import current_user

from lms.domain.roles import ADMIN
from lms.services import audit, outbox
from lms.web.access import role_required
from lms.web.admin import bp

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


def _filters(args) -> audit.AuditFilters:
    since, until = _day(args.get("from"), "From"), _day(args.get("to"), "To")
    if since and until and since > until:
        raise BadFilter("“From” must be on or before “To”.")
    actor = args.get("actor", "")
    actor_id = int(actor) if actor.isdigit() and len(actor) < 10 else None  # an id, not a number too big for the database
    return audit.AuditFilters(args.get("action", ""), actor_id, since, until, _page(args.get("page", "1")[:12]))


@bp.get("/audit")
@role_required(ADMIN)
def audit_log():
    agency_id = current_user.agency_id
    try:
        filters, error = _filters(request.args), None
    except BadFilter as bad:
        filters, error = audit.AuditFilters(), str(bad)
    events, has_more = ([], False) if error else audit.events_page(agency_id, filters)
    return render_template(
        "admin/audit.html",
        events=events,
        has_more=has_more,
        page=filters.page,
        actions=audit.actions_used(agency_id),
        actors=audit.actors(agency_id),
        filters={name: request.args.get(name, "") for name in ("action", "actor", "from", "to")},
        error=error,
    ), 422 if error else 200


@bp.get("/mail")
@role_required(ADMIN)
def mail_outbox():
    return render_template(
        "admin/mail.html",
        mails=outbox.agency_mail(current_user.agency_id),
        counts=outbox.status_counts(current_user.agency_id),
        max_attempts=outbox.MAX_ATTEMPTS,
    )
