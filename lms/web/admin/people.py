"""Agency administration: people and their licences."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user

from lms.domain.roles import ADMIN, ROLE_LABELS, ROLES
from lms.domain.user_import import role_list
from lms.extensions import db
from lms.models import ProfessionalCredential
from lms.services import account_links, licences, people
from lms.services.invalid_input import InvalidInput
from lms.web.access import role_required
from lms.web.admin import bp
from lms.web.admin.forms import PersonForm
from lms.web.forms import LicenceForm


def _person_or_404(user_id):
    person = people.agency_person(current_user.agency_id, user_id)
    if person is None:
        abort(404)
    return person


def invite(users) -> int:
    """Queue invitations in the same transaction as the people: both are saved, or neither."""
    return account_links.queue_link_mails(users, account_links.INVITATION)


# People


def _render_person_form(person, values, errors, status=200):
    return render_template(
        "admin/people_form.html",
        person=person,
        values=values,
        errors=errors,
        teams=people.usable_teams(current_user.agency_id, person),
        roles=[(role, ROLE_LABELS[role]) for role in ROLES],
        licences=licences.licences_of(person.id) if person else [],
        licence_fields=licences.FIELDS,
    ), status


def _submitted_values(form):
    return {
        "name": form.get("name", ""),
        "email": form.get("email", ""),
        "roles": set(form.getlist("roles")),
        "team": form.get("team", ""),
        "supervised_teams": set(form.getlist("supervised_teams")),
        "joined_on": form.get("joined_on", ""),
    }


def _person_values(person):
    return {
        "name": person.name,
        "email": person.email,
        "roles": set(person.roles),
        "team": str(person.team_id or ""),
        "supervised_teams": {str(team.id) for team in person.supervised_teams},
        "joined_on": person.joined_on.isoformat(),
    }


@bp.get("/people")
@role_required(ADMIN)
def people_list():
    search = request.args.get("q", "").strip()
    found = people.agency_people(current_user.agency_id, search)
    return render_template(
        "admin/people.html", people=found, search=search, limit=people.LIST_LIMIT, role_list=role_list, role_labels=ROLE_LABELS
    )


@bp.get("/people/new")
@role_required(ADMIN)
def new_person():
    values = {"roles": set(), "supervised_teams": set(), "joined_on": date.today().isoformat()}
    return _render_person_form(None, values, {})


@bp.post("/people")
@role_required(ADMIN)
def create_person():
    form = PersonForm(teams=people.usable_teams(current_user.agency_id))
    try:
        person = people.create_person(current_user.agency, current_user, form.checked())
    except InvalidInput as error:
        return _render_person_form(None, _submitted_values(request.form), error.errors, 422)
    invite([person])
    db.session.commit()
    flash(f"{person.name} is added. An invitation to set a password is on its way to {person.email}.", "success")
    return redirect(url_for("admin.show_person", user_id=person.id), code=303)


@bp.get("/people/<int:user_id>")
@role_required(ADMIN)
def show_person(user_id):
    person = _person_or_404(user_id)
    return _render_person_form(person, _person_values(person), {})


@bp.post("/people/<int:user_id>")
@role_required(ADMIN)
def update_person(user_id):
    person = _person_or_404(user_id)
    form = PersonForm(teams=people.usable_teams(current_user.agency_id, person))
    try:
        people.update_person(person, current_user, form.checked())
    except InvalidInput as error:
        return _render_person_form(person, _submitted_values(request.form), error.errors, 422)
    db.session.commit()
    if person.id == current_user.id:
        login_user(person)  # a change of one's own roles ended one's sessions: keep this one
    flash(f"Changes to {person.name} are saved.", "success")
    return redirect(url_for("admin.show_person", user_id=person.id), code=303)


@bp.post("/people/<int:user_id>/deactivate")
@role_required(ADMIN)
def deactivate_person(user_id):
    return _set_person_active(_person_or_404(user_id), False)


@bp.post("/people/<int:user_id>/reactivate")
@role_required(ADMIN)
def reactivate_person(user_id):
    return _set_person_active(_person_or_404(user_id), True)


def _set_person_active(person, active):
    try:
        people.set_person_active(person, current_user, active)
    except InvalidInput as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            f"{person.name} is {'active again and can log in' if active else 'deactivated and cannot log in'}. "
            "Their training records are kept.",
            "success",
        )
    return redirect(url_for("admin.show_person", user_id=person.id), code=303)


@bp.post("/people/<int:user_id>/invitation")
@role_required(ADMIN)
def resend_invitation(user_id):
    person = _person_or_404(user_id)
    if person.password_hash is not None or not person.active:
        flash(f"{person.name} does not need an invitation: they can log in, or use “Forgot your password?”.", "error")
    else:
        invite([person])
        db.session.commit()
        flash(f"A new invitation is on its way to {person.email}.", "success")
    return redirect(url_for("admin.show_person", user_id=person.id), code=303)


# Licences and certifications


def _agency_licence(licence_id):
    licence = db.session.get(ProfessionalCredential, licence_id)
    if licence is None:
        abort(404)
    holder = _person_or_404(licence.user_id)
    return holder, licence


def _licence_saved_or_refused(change, holder):
    try:
        change()
    except InvalidInput as error:
        db.session.rollback()
        flash("The licence is not saved: " + " ".join(error.errors.values()), "error")
    else:
        db.session.commit()
        flash(f"{holder.name}'s licences are saved. Certificates already issued keep what they say.", "success")
    return redirect(url_for("admin.show_person", user_id=holder.id) + "#licences", code=303)


@bp.post("/people/<int:user_id>/licences")
@role_required(ADMIN)
def add_person_licence(user_id):
    holder = _person_or_404(user_id)
    return _licence_saved_or_refused(lambda: licences.add(holder, current_user, LicenceForm().checked()), holder)


@bp.post("/licences/<int:licence_id>")
@role_required(ADMIN)
def update_person_licence(licence_id):
    holder, licence = _agency_licence(licence_id)
    return _licence_saved_or_refused(lambda: licences.update(holder, current_user, licence, LicenceForm().checked()), holder)


@bp.post("/licences/<int:licence_id>/delete")
@role_required(ADMIN)
def remove_person_licence(licence_id):
    holder, licence = _agency_licence(licence_id)
    return _licence_saved_or_refused(lambda: licences.remove(holder, current_user, licence), holder)
