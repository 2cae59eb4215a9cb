"""A supervisor's email settings: the weekly digest of their teams' overdue training."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from lms.domain.roles import SUPERVISOR
from lms.extensions import db
from lms.services import reminders
from lms.web.access import role_required
from lms.web.learn import bp
from lms.web.learn.forms import EmailSettingsForm


@bp.get("/settings/email")
@role_required(SUPERVISOR)
def email_settings():
    return render_template("learn/mail_settings.html", digest_wanted=not current_user.digest_opt_out)


@bp.post("/settings/email")
@role_required(SUPERVISOR)
def save_email_settings():
    wanted = EmailSettingsForm().checked()
    reminders.set_digest_wanted(current_user, wanted)
    db.session.commit()
    flash(
        "Saved. You will get the weekly email about your teams."
        if wanted
        else "Saved. You will not get the weekly email about your teams.",
        "success",
    )
    return redirect(url_for("learn.email_settings"), code=303)
