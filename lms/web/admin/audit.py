"""Admins: the audit log of admin actions, filterable, newest first; the mail outbox."""

from flask import render_template, request
from flask_login import current_user

from lms.domain.roles import ADMIN
from lms.services import audit, outbox
from lms.services.invalid_input import InvalidInput
from lms.web.access import role_required
from lms.web.admin import bp
from lms.web.admin.forms import AuditFilterForm


@bp.get("/audit")
@role_required(ADMIN)
def audit_log():
    agency_id = current_user.agency_id
    try:
        filters, errors = AuditFilterForm(formdata=request.args).checked(), {}
    except InvalidInput as error:
        filters, errors = audit.AuditFilters(), error.errors
    events, has_more = ([], False) if errors else audit.events_page(agency_id, filters)
    return render_template(
        "admin/audit.html",
        events=events,
        has_more=has_more,
        page=filters.page,
        actions=audit.actions_used(agency_id),
        actors=audit.actors(agency_id),
        filters={name: request.args.get(name, "") for name in ("action", "actor", "from", "to")},
        errors=errors,
    ), 422 if errors else 200


@bp.get("/mail")
@role_required(ADMIN)
def mail_outbox():
    return render_template(
        "admin/mail.html",
        mails=outbox.agency_mail(current_user.agency_id),
        counts=outbox.status_counts(current_user.agency_id),
        max_attempts=outbox.MAX_ATTEMPTS,
    )
