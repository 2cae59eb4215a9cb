"""Admins: learning paths, such as "Peer orientation": ordered courses assigned together."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.domain.roles import ADMIN, ROLE_LABELS
from lms.extensions import db
from lms.services import learning_paths
from lms.services.invalid_input import InvalidInput
from lms.services.people import active_people, active_teams
from lms.web.access import catalog, role_required
from lms.web.admin import bp
from lms.web.admin.forms import STEP_FIELDS, LearningPathForm, RuleForm


def _page(values, errors, status=200):
    agency_id = current_user.agency_id
    return render_template(
        "admin/learning_paths.html",
        paths=learning_paths.paths_of(agency_id),
        catalog=catalog(),
        teams=active_teams(agency_id),
        people=active_people(agency_id),
        role_labels=ROLE_LABELS,
        step_fields=STEP_FIELDS,
        values=values,
        errors=errors,
    ), status


@bp.get("/paths")
@role_required(ADMIN)
def learning_path_list():
    return _page({}, {})


@bp.post("/paths")
@role_required(ADMIN)
def create_learning_path():
    try:
        learning_paths.create_path(current_user.agency_id, current_user, LearningPathForm(catalog()).checked())
    except InvalidInput as error:
        db.session.rollback()
        return _page(request.form, error.errors, 422)
    db.session.commit()
    flash("The learning path is saved. Assign it to the people who should follow it.", "success")
    return redirect(url_for("admin.learning_path_list"), code=303)


@bp.post("/paths/<int:path_id>/assign")
@role_required(ADMIN)
def assign_learning_path(path_id):
    path = learning_paths.path_of(current_user.agency_id, path_id)
    if path is None:
        abort(404)
    try:
        learning_paths.assign_path(current_user.agency_id, current_user, catalog(), path, RuleForm().checked())
    except InvalidInput as error:
        db.session.rollback()
        return _page(request.form, error.errors, 422)
    db.session.commit()
    flash(f"{path.title} is assigned: each of its courses is now required training.", "success")
    return redirect(url_for("admin.learning_path_list"), code=303)
