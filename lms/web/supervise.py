"""Supervisors: their teams' training, one learner's progress, CSV export."""

import csv
import io
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user

from lms.domain.assignments import STATE_LABELS, STATES
from lms.domain.matrix import Filters
from lms.domain.roles import SUPERVISOR
from lms.domain.spreadsheet import safe_row
from lms.extensions import db
from lms.services import licences, renewal, supervisor_reminders, team_matrix
from lms.services.invalid_input import InvalidInput
from lms.web import certificate_export
from lms.web.access import catalog, role_required
from lms.web.forms import ExportFilterForm
from lms.web.htmx import render_page, wants_fragment
from lms.web.supervise_forms import ReminderForm

bp = Blueprint("supervise", __name__, url_prefix="/supervise")


def _matrix_and_filters():
    teams = team_matrix.supervised_teams(current_user)
    filters = Filters.from_args(request.args, {t.id for t in teams}, {c.slug for c in catalog()})
    return teams, filters, team_matrix.team_matrix(current_user, teams, catalog(), filters, date.today())


@bp.get("/")
@role_required(SUPERVISOR)
def matrix():
    teams, filters, result = _matrix_and_filters()
    return render_page(
        "supervise/matrix.html",
        ["matrix"],
        teams=teams,
        filters=filters,
        matrix=result,
        courses=list(catalog()),
        states=STATES,
        state_labels=STATE_LABELS,
        query=request.query_string.decode(),
        # Only whether a period ends within 90 days with hours short: never the hours or entries.
        renewal_at_risk=renewal.at_risk_ids([row.user_id for row in result.rows], date.today()),
    )


@bp.get("/certificates")
@role_required(SUPERVISOR)
def export_form():
    teams = team_matrix.supervised_teams(current_user)
    return certificate_export.export_form(url_for("supervise.export_certificates"), teams, {}, {})


@bp.get("/certificates.zip")
@role_required(SUPERVISOR)
def export_certificates():
    """Certificates of the supervisor's own teams only."""
    teams = team_matrix.supervised_teams(current_user)
    form = ExportFilterForm({team.id for team in teams}, catalog(), whole_agency=False, formdata=request.args)
    try:
        filters = form.checked()
    except InvalidInput as error:
        return certificate_export.export_form(url_for("supervise.export_certificates"), teams, request.args, error.errors, 400)
    return certificate_export.zip_response(current_user.agency_id, filters, "team-certificates.zip")


@bp.get("/matrix.csv")
@role_required(SUPERVISOR)
def export_matrix():
    _, _, result = _matrix_and_filters()

    def lines():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(safe_row(["name", "email", "team"] + [column.title for column in result.columns]))
        for row in result.rows:
            writer.writerow(safe_row([row.name, row.email, row.team_name] + [_cell_text(cell) for cell in row.cells]))
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        if not result.rows:
            yield out.getvalue()

    response = Response(stream_with_context(lines()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="team-training-{date.today().isoformat()}.csv"'
    return response


def _cell_text(cell) -> str:
    status = cell.standing
    if status.state == "complete":
        return f"Complete {status.completed_on.isoformat()}"
    text = STATE_LABELS[status.state]
    if status.state == "in-progress":
        text += f" {cell.done}/{cell.total}"
    if status.due_on:
        text += f" (due {status.due_on.isoformat()})"
    return text


@bp.get("/people/<int:user_id>")
@role_required(SUPERVISOR)
def person(user_id):
    learner = team_matrix.supervised_member(current_user, user_id)
    if learner is None:
        abort(404)
    return render_template(
        "supervise/person.html",
        learner=learner,
        courses=team_matrix.courses_of(learner, catalog(), date.today()),
        attempts=team_matrix.attempts_of(learner.id),
        catalog=catalog(),
        state_labels=STATE_LABELS,
        has_licence=learner.id in licences.users_with_licences([learner.id]),
    )


@bp.post("/people/<int:user_id>/reminder")
@role_required(SUPERVISOR)
def send_reminder(user_id):
    """Mail one person on the supervisor's team a reminder; htmx gets the row's status line back."""
    learner = team_matrix.supervised_member(current_user, user_id)
    if learner is None:
        abort(404)
    result = supervisor_reminders.send_reminder(current_user, learner, catalog(), date.today())
    db.session.commit()
    if wants_fragment():
        return render_template("supervise/_reminder_status.html", user_id=learner.id, name=learner.name, result=result)
    if result.sent:
        flash(f"A reminder is on its way to {learner.name} ({learner.email}).", "success")
    else:
        flash(f"{learner.name} got a reminder less than a day ago, so no new one was sent. You can send another tomorrow.", "error")
    # Back to the table as it was filtered; url_for builds the address, so it stays on this site.
    filters = ReminderForm().checked()
    return redirect(url_for("supervise.matrix", **filters, _anchor=f"person-{learner.id}"), code=303)
