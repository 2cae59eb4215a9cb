"""Agency administration: teams and who supervises them."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.domain.roles import ADMIN
from lms.extensions import db
from lms.services import people
from lms.services.invalid_input import InvalidInput
from lms.web.access import role_required
from lms.web.admin import bp
from lms.web.admin.forms import TeamForm


def _team_or_404(team_id):
    team = people.agency_team(current_user.agency_id, team_id)
    if team is None:
        abort(404)
    return team


@bp.get("/teams")
@role_required(ADMIN)
def team_list():
    return _render_teams({}, {})


def _render_teams(values, errors, status=200):
    return render_template(
        "admin/teams.html",
        teams=people.agency_teams(current_user.agency_id),
        counts=people.member_counts(current_user.agency_id),
        values=values,
        errors=errors,
    ), status


@bp.post("/teams")
@role_required(ADMIN)
def create_team():
    try:
        team = people.create_team(current_user.agency, current_user, TeamForm().checked().name)
    except InvalidInput as error:
        return _render_teams(request.form, error.errors, 422)
    db.session.commit()
    flash(f"The team “{team.name}” is added. Choose who supervises it below.", "success")
    return redirect(url_for("admin.show_team", team_id=team.id), code=303)


def _render_team(team, choices, values, errors, status=200):
    return render_template(
        "admin/team_form.html",
        team=team,
        choices=choices,
        values=values,
        errors=errors,
        members=people.team_members(team),
    ), status


@bp.get("/teams/<int:team_id>")
@role_required(ADMIN)
def show_team(team_id):
    team = _team_or_404(team_id)
    values = {"name": team.name, "supervisors": {str(user.id) for user in team.supervisors}}
    return _render_team(team, people.supervisor_choices(team), values, {})


@bp.post("/teams/<int:team_id>")
@role_required(ADMIN)
def update_team(team_id):
    team = _team_or_404(team_id)
    choices = people.supervisor_choices(team)
    try:
        people.update_team(team, current_user, TeamForm(supervisor_choices=choices).checked())
    except InvalidInput as error:
        values = {"name": request.form.get("name", ""), "supervisors": set(request.form.getlist("supervisors"))}
        return _render_team(team, choices, values, error.errors, 422)
    db.session.commit()
    flash(f"The team “{team.name}” is saved.", "success")
    return redirect(url_for("admin.show_team", team_id=team.id), code=303)


@bp.post("/teams/<int:team_id>/deactivate")
@role_required(ADMIN)
def deactivate_team(team_id):
    return _set_team_active(_team_or_404(team_id), False)


@bp.post("/teams/<int:team_id>/reactivate")
@role_required(ADMIN)
def reactivate_team(team_id):
    return _set_team_active(_team_or_404(team_id), True)


def _set_team_active(team, active):
    people.set_team_active(team, current_user, active)
    db.session.commit()
    flash(f"The team “{team.name}” is {'active again' if active else 'deactivated: it can no longer be chosen for people'}.", "success")
    return redirect(url_for("admin.show_team", team_id=team.id), code=303)
