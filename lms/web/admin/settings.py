"""Agency administration: the agency's settings, continuing-education approvals and role card."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.domain.markdown import render as render_markdown
from lms.domain.roles import ADMIN
from lms.extensions import db
from lms.services.agency_settings import (
    CERTIFICATE_RETENTION_LABELS,
    COURSE_APPROVAL_FIELDS,
    NUMBER_FIELDS,
    PRIVACY_NUMBER_FIELDS,
    SETTINGS_FIELDS,
    course_approvals,
    remove_course_approval,
    set_course_approval,
    set_logo,
    update_role_card,
    update_settings,
)
from lms.services.invalid_input import InvalidInput
from lms.services.role_card import DEFAULT_ROLE_CARD_PATH
from lms.web.access import catalog, role_required
from lms.web.admin import bp
from lms.web.admin.forms import CourseApprovalForm, RoleCardForm, SettingsForm


def _settings_page(values, errors, status=200):
    return render_template(
        "admin/settings.html",
        values=values,
        errors=errors,
        fields=SETTINGS_FIELDS,
        number_fields=NUMBER_FIELDS,
        privacy_number_fields=PRIVACY_NUMBER_FIELDS,
        retention_labels=CERTIFICATE_RETENTION_LABELS,
        agency=current_user.agency,
    ), status


@bp.get("/settings")
@role_required(ADMIN)
def settings():
    agency = current_user.agency
    fields = (
        [field for field, _ in SETTINGS_FIELDS]
        + [field for field, *_ in NUMBER_FIELDS]
        + [field for field, *_ in PRIVACY_NUMBER_FIELDS]
        + ["certificate_retention"]
    )
    return _settings_page({field: str(getattr(agency, field) or "") for field in fields}, {})


@bp.post("/settings")
@role_required(ADMIN)
def save_settings():
    try:
        update_settings(current_user.agency, current_user, SettingsForm().checked())
        logo = request.files.get("logo")
        if logo and logo.filename:
            set_logo(current_user.agency, current_user, logo.read())
    except InvalidInput as error:
        db.session.rollback()
        return _settings_page(request.form, error.errors, 422)
    db.session.commit()
    flash("Settings saved. New certificates use them; certificates already issued keep what they say.", "success")
    return redirect(url_for("admin.settings"), code=303)


def _approvals_page(values, errors, status=200):
    return render_template(
        "admin/ce_approvals.html",
        courses=list(catalog()),
        approvals=course_approvals(current_user.agency_id),
        fields=COURSE_APPROVAL_FIELDS,
        values=values,
        errors=errors,
        agency=current_user.agency,
    ), status


@bp.get("/ce-approvals")
@role_required(ADMIN)
def ce_approvals():
    return _approvals_page({}, {})


@bp.post("/ce-approvals")
@role_required(ADMIN)
def save_ce_approval():
    form = CourseApprovalForm()
    try:
        course = set_course_approval(current_user.agency, current_user, catalog(), form.course.data, form.checked())
    except InvalidInput as error:
        db.session.rollback()
        return _approvals_page(request.form, error.errors, 422)
    db.session.commit()
    flash(f"CE approval saved for {course.title}. Certificates issued from now on use it.", "success")
    return redirect(url_for("admin.ce_approvals"), code=303)


@bp.post("/ce-approvals/<slug>/delete")
@role_required(ADMIN)
def remove_ce_approval(slug):
    remove_course_approval(current_user.agency, current_user, slug)
    db.session.commit()
    flash("The course's CE approval is removed. Certificates already issued keep what they say.", "success")
    return redirect(url_for("admin.ce_approvals"), code=303)


@bp.get("/role-card")
@role_required(ADMIN)
def role_card():
    agency = current_user.agency
    text = agency.role_card_markdown or DEFAULT_ROLE_CARD_PATH.read_text(encoding="utf-8")
    return render_template("admin/role_card.html", text=text, preview=render_markdown(text).html, errors={})


@bp.post("/role-card")
@role_required(ADMIN)
def save_role_card():
    try:
        update_role_card(current_user.agency, current_user, RoleCardForm().checked())
    except InvalidInput as error:
        text = request.form.get("role_card", "")
        return render_template("admin/role_card.html", text=text, preview=render_markdown(text).html, errors=error.errors), 422
    db.session.commit()
    flash("The role card is saved. Lessons that show it use it now.", "success")
    return redirect(url_for("admin.role_card"), code=303)
