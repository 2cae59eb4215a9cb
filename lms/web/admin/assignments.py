"""Admins: which courses are required, for whom, by when."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.domain.roles import ADMIN, ROLE_LABELS
from lms.extensions import db
from lms.services.assignments import agency_assignments, create_assignment, delete_assignment
from lms.services.invalid_input import InvalidInput
from lms.services.people import active_people, active_teams
from lms.web.access import catalog, role_required
from lms.web.admin import bp
from lms.web.admin.forms import AssignmentForm


def _page(values, errors, status=200):
    agency_id = current_user.agency_id
    teams, people = active_teams(agency_id), active_people(agency_id)
    return render_template(
        "admin/assignments.html",
        assignments=agency_assignments(agency_id),
        catalog=catalog(),
        teams=teams,
        teams_by_id={team.id: team for team in teams},
        people=people,
        people_by_id={person.id: person for person in people},
        role_labels=ROLE_LABELS,
        values=values,
        errors=errors,
    ), status


@bp.get("/assignments")
@role_required(ADMIN)
def assignments():
    return _page({"target": "role", "due_rule": "after-joining", "due_days": "30", "renew_days_before": "30"}, {})


@bp.post("/assignments")
@role_required(ADMIN)
def add_assignment():
    form = AssignmentForm()
    try:
        create_assignment(current_user.agency_id, current_user, catalog(), form.course.data, form.checked())
    except InvalidInput as error:
        return _page(request.form, error.errors, 422)
    db.session.commit()
    flash("The course is assigned. People who join later are included automatically.", "success")
    return redirect(url_for("admin.assignments"), code=303)


@bp.post("/assignments/<int:assignment_id>/delete")
@role_required(ADMIN)
def remove_assignment(assignment_id):
    if not delete_assignment(current_user.agency_id, current_user, assignment_id, catalog()):
        abort(404)
    db.session.commit()
    flash("The assignment is removed. Completions already earned are kept.", "success")
    return redirect(url_for("admin.assignments"), code=303)
