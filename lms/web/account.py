"""A person's own profile: their name, their password, their professional credentials."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.extensions import db
from lms.services import licences, renewal
from lms.services.accounts import MIN_PASSWORD_LENGTH
from lms.services.invalid_input import InvalidInput
from lms.web.access import catalog
from lms.web.account_forms import PasswordForm
from lms.web.forms import LicenceForm

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(licence_values=None, licence_errors=None, password_errors=None, status=200):
    return render_template(
        "account/profile.html",
        licences=licences.licences_of(current_user.id),
        fields=licences.FIELDS,
        licence_values=licence_values or {},
        licence_errors=licence_errors or {},
        password_errors=password_errors or {},
        min_length=MIN_PASSWORD_LENGTH,
        certifications=renewal.overview(current_user, date.today(), catalog()),
    ), status


@bp.get("/")
@login_required
def profile():
    return _page()


@bp.post("/password")
@login_required
def change_password():
    try:
        licences.change_password(current_user, PasswordForm().checked())
    except InvalidInput as error:
        return _page(password_errors=error.errors, status=422)
    db.session.commit()
    flash("Your new password is saved.", "success")
    return redirect(url_for("account.profile"), code=303)


@bp.post("/licences")
@login_required
def add_licence():
    try:
        licences.add(current_user, current_user, LicenceForm().checked())
    except InvalidInput as error:
        return _page(licence_values=request.form, licence_errors=error.errors, status=422)
    db.session.commit()
    flash("Your licence is saved. Certificates you earn from now on show it.", "success")
    return redirect(url_for("account.profile"), code=303)


@bp.post("/licences/<int:licence_id>/delete")
@login_required
def remove_licence(licence_id):
    licence = licences.find(current_user.id, licence_id)
    if licence is None:
        abort(404)
    licences.remove(current_user, current_user, licence)
    db.session.commit()
    flash("The licence is removed. Certificates already issued keep what they say.", "success")
    return redirect(url_for("account.profile"), code=303)
