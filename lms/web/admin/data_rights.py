"""Erasing a person at their request, after the admin types the person's name.
(A copy of their data is lms.web.my_data, for the person themself and their admins.)"""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from lms.domain.roles import ADMIN
from lms.extensions import db
from lms.services import erasure, people
from lms.services.invalid_input import InvalidInput
from lms.web.access import role_required
from lms.web.admin import bp
from lms.web.admin.forms import ErasureForm


def _person_or_404(user_id):
    person = people.agency_person(current_user.agency_id, user_id)
    if person is None:
        abort(404)
    return person


def _confirm_page(person, errors, status=200):
    return render_template("admin/erase_person.html", person=person, errors=errors, agency=current_user.agency), status


@bp.get("/people/<int:user_id>/erase")
@role_required(ADMIN)
def confirm_erase_person(user_id):
    return _confirm_page(_person_or_404(user_id), {})


@bp.post("/people/<int:user_id>/erase")
@role_required(ADMIN)
def erase_person(user_id):
    person = _person_or_404(user_id)
    try:
        erased = erasure.erase_person(person, current_user, ErasureForm().checked(), current_app.extensions["vault"])
    except InvalidInput as error:
        return _confirm_page(person, error.errors, 422)
    db.session.commit()
    erasure.wipe_freed_space()
    flash(f"The person is erased. The audit log now calls them {erased.opaque_id}.", "success")
    return redirect(url_for("admin.people_list"), code=303)
