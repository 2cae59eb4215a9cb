"""Admins: the agency's Learning Record Store (xAPI), and how its statements are getting there."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.domain.roles import ADMIN
from lms.domain.wording import counted
from lms.extensions import db
from lms.services import xapi_outbox
from lms.services.invalid_input import InvalidInput
from lms.services.lrs_settings import connection_of, is_configured, remove_connection, save_connection
from lms.services.outbox import DEAD, MAX_ATTEMPTS
from lms.web.access import role_required
from lms.web.admin import bp
from lms.web.admin.forms import LrsForm
from lms.web.htmx import render_page, wants_fragment


def _page_context(values, errors):
    connection = connection_of(current_user.agency_id)
    return {
        "values": values,
        "errors": errors,
        "configured": is_configured(connection),
        "secret_saved": connection is not None and connection.secret_encrypted is not None,
        "counts": xapi_outbox.status_counts(current_user.agency_id),
        "last_error": xapi_outbox.last_error(current_user.agency_id),
        "dead_error": xapi_outbox.last_error(current_user.agency_id, DEAD),
        "max_attempts": MAX_ATTEMPTS,
    }


def _lrs_page(values, errors, status=200):
    return render_template("admin/lrs.html", **_page_context(values, errors)), status


@bp.get("/lrs")
@role_required(ADMIN)
def lrs_settings():
    connection = connection_of(current_user.agency_id)
    configured = is_configured(connection)
    return _lrs_page({"endpoint": connection.endpoint if configured else "", "key": connection.key if configured else ""}, {})


@bp.post("/lrs")
@role_required(ADMIN)
def save_lrs_settings():
    try:
        save_connection(
            current_user.agency,
            current_user,
            current_app.extensions["vault"],
            LrsForm().checked(),
            allow_private=current_app.config["LRS_ALLOW_PRIVATE_ADDRESSES"],
        )
    except InvalidInput as error:
        db.session.rollback()
        return _lrs_page({"endpoint": request.form.get("endpoint", ""), "key": request.form.get("key", "")}, error.errors, 422)
    db.session.commit()
    flash("The Learning Record Store is saved. Learning from now on is sent to it.", "success")
    return redirect(url_for("admin.lrs_settings"), code=303)


@bp.post("/lrs/remove")
@role_required(ADMIN)
def remove_lrs_settings():
    remove_connection(current_user.agency, current_user)
    db.session.commit()
    flash("The Learning Record Store is removed. Nothing more is sent to it.", "success")
    return redirect(url_for("admin.lrs_settings"), code=303)


@bp.post("/lrs/requeue")
@role_required(ADMIN)
def requeue_dead_statements():
    """Put the agency's dead statements back in the queue; htmx gets the Records section back."""
    requeued = xapi_outbox.requeue_dead(current_user.agency, current_user)
    db.session.commit()
    if requeued:
        notice = f"{counted(requeued, 'dead statement')} {'is' if requeued == 1 else 'are'} back in the queue, to be sent again."
    else:
        notice = "There were no dead statements, so none were queued."
    if wants_fragment():
        return render_page("admin/lrs.html", ["records"], notice=notice, **_page_context({}, {}))
    flash(notice, "success")
    return redirect(url_for("admin.lrs_settings"), code=303)
