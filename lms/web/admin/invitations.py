"""Invitations not accepted yet: see where each stands, and send chosen ones again."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from lms.domain.roles import ADMIN
from lms.domain.wording import counted
from lms.extensions import db
from lms.services import invitations
from lms.services.invalid_input import InvalidInput
from lms.web.access import role_required
from lms.web.admin import bp
from lms.web.admin.forms import ResendInvitationsForm


@bp.get("/invitations")
@role_required(ADMIN)
def invitations_list():
    return render_template(
        "admin/invitations.html",
        pending=invitations.pending_invitations(current_user.agency_id),
        pause_minutes=int(invitations.RESEND_PAUSE.total_seconds() // 60),
    )


@bp.post("/invitations")
@role_required(ADMIN)
def resend_invitations():
    try:
        user_ids = ResendInvitationsForm().checked()
    except InvalidInput as error:
        flash(str(error), "error")
        return redirect(url_for("admin.invitations_list"), code=303)
    result = invitations.resend_invitations(current_user.agency, current_user, user_ids)
    db.session.commit()
    flash(_result_message(result), "success" if result.sent else "error")
    return redirect(url_for("admin.invitations_list"), code=303)


def _result_message(result) -> str:
    minutes = int(invitations.RESEND_PAUSE.total_seconds() // 60)
    parts = [f"Sent {counted(len(result.sent), 'invitation')} again." if result.sent else "No invitation was sent."]
    if result.recent:
        parts.append(f"Skipped {counted(len(result.recent), 'person', 'people')}: invited less than {minutes} minutes ago.")
    if result.not_needed:
        parts.append(f"Skipped {counted(len(result.not_needed), 'person', 'people')}: they set a password meanwhile, or were deactivated.")
    return " ".join(parts)
