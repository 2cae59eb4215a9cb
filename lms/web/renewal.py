"""Certification renewal: a learner's certifications, hours from anywhere and the renewal
report; admins' requirement templates; reviews of external entries; in-person trainings."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.domain import renewal as rules
from lms.domain.roles import ADMIN, SUPERVISOR
from lms.extensions import db
from lms.services import renewal, renewal_reminders, renewal_report, team_matrix
from lms.services.invalid_input import InvalidInput
from lms.web.access import catalog, role_required
from lms.web.downloads import attachment, pdf_from_template
from lms.web.renewal_forms import AlertsForm, AttendanceForm, CertificationForm, EntryForm, ReviewForm, TemplateForm

bp = Blueprint("renewal", __name__, url_prefix="/renewal")

PRIVATE = "private, no-store"
# The certification card is shown on My profile too, so its helpers are there for any template.
bp.add_app_template_global(rules.categories_line, "renewal_categories_line")
bp.add_app_template_global(rules.not_counted_reason, "renewal_not_counted_reason")


def _today() -> date:
    return date.today()


def _page(certification_values=None, certification_errors=None, entry_values=None, entry_errors=None, status=200):
    return render_template(
        "renewal/mine.html",
        overview=renewal.overview(current_user, _today(), catalog()),
        templates=renewal.templates_of(current_user.agency_id),
        entries=renewal.external_entries_of(current_user.id),
        formats=rules.DELIVERY_FORMATS,
        certification_values=certification_values or {},
        certification_errors=certification_errors or {},
        entry_values=entry_values or {},
        entry_errors=entry_errors or {},
    ), status


@bp.get("/")
@login_required
def my_certifications():
    return _page()


@bp.post("/certifications")
@login_required
def add_certification():
    try:
        renewal.add_certification(current_user, CertificationForm().checked())
    except InvalidInput as error:
        return _page(certification_values=request.form, certification_errors=error.errors, status=422)
    db.session.commit()
    flash("Your certification is saved.", "success")
    return redirect(url_for("renewal.my_certifications"), code=303)


@bp.post("/certifications/<int:certification_id>/delete")
@login_required
def remove_certification(certification_id):
    certification = renewal.certification_of(current_user.id, certification_id)
    if certification is None:
        abort(404)
    renewal.remove_certification(certification)
    db.session.commit()
    flash("The certification is removed.", "success")
    return redirect(url_for("renewal.my_certifications"), code=303)


@bp.post("/entries")
@login_required
def add_entry():
    data = _uploaded_file()  # read first, so the upload is closed whatever the form says
    try:
        renewal.add_entry(current_user, EntryForm().checked(), data, _today())
    except InvalidInput as error:
        return _page(entry_values=request.form, entry_errors=error.errors, status=422)
    db.session.commit()
    flash("Your training is logged. It counts once it is verified, if your board's requirement says so.", "success")
    return redirect(url_for("renewal.my_certifications"), code=303)


def _uploaded_file() -> bytes:
    """The uploaded certificate's bytes, one past the limit at most, so a larger file is refused."""
    upload = request.files.get("file")
    if not upload:
        return b""
    with upload.stream:  # a large upload is spooled to a temporary file: close it now
        return upload.read(rules.MAX_ATTACHMENT_BYTES + 1)


@bp.post("/entries/<int:entry_id>/delete")
@login_required
def remove_entry(entry_id):
    entry = renewal.owned_entry(current_user.id, entry_id)
    if entry is None:
        abort(404)
    try:
        renewal.remove_entry(entry)
    except InvalidInput as error:
        flash(error.errors["entry"], "error")
        return redirect(url_for("renewal.my_certifications"), code=303)
    db.session.commit()
    flash("The entry is removed.", "success")
    return redirect(url_for("renewal.my_certifications"), code=303)


@bp.get("/entries/<int:entry_id>/file")
@login_required
def entry_file(entry_id):
    """The certificate file of an external entry: the learner and their agency's admins only."""
    entry = renewal.file_entry(current_user, entry_id)
    if entry is None:
        abort(404)
    return attachment(entry.file, entry.file_mimetype, entry.file_name, PRIVATE)


def _report_period():
    ends_on = request.args.get("period_ends_on", "")
    try:
        return date.fromisoformat(ends_on) if ends_on else None
    except ValueError:
        abort(400)


def _report(certification_id):
    certification = renewal.certification_of(current_user.id, certification_id)
    if certification is None:
        abort(404)
    return renewal_report.build(certification, current_user, _today(), _report_period())


@bp.get("/certifications/<int:certification_id>/report.pdf")
@login_required
def report_pdf(certification_id):
    report = _report(certification_id)
    return attachment(_pdf(report), "application/pdf", report.file_name("pdf"), PRIVATE)


@bp.get("/certifications/<int:certification_id>/report.csv")
@login_required
def report_csv(certification_id):
    report = _report(certification_id)
    return attachment(renewal_report.csv_text(report).encode("utf-8"), "text/csv; charset=utf-8", report.file_name("csv"), PRIVATE)


@bp.get("/certifications/<int:certification_id>/report.zip")
@login_required
def report_zip(certification_id):
    report = _report(certification_id)
    return attachment(renewal_report.zip_bytes(report, _pdf(report)), "application/zip", report.file_name("zip"), PRIVATE)


def _pdf(report) -> bytes:
    return pdf_from_template(
        "renewal/print/report.html",
        report=report,
        source_text=renewal_report.source_text,
        statements=renewal_report.statements(report.progress),
        formats=rules.DELIVERY_FORMATS,
        categories_line=rules.categories_line,
    )


# Agency admins: requirement templates


def _templates_page(values=None, errors=None, status=200):
    return render_template(
        "renewal/templates.html",
        templates=renewal.templates_of(current_user.agency_id),
        formats=rules.DELIVERY_FORMATS,
        values=values,
        errors=errors or {},
        categories_text=rules.categories_text,
    ), status


@bp.get("/admin/templates")
@role_required(ADMIN)
def templates():
    return _templates_page()


@bp.post("/admin/templates")
@role_required(ADMIN)
def create_template():
    try:
        renewal.create_template(current_user.agency_id, current_user, TemplateForm().checked())
    except InvalidInput as error:
        return _templates_page(request.form, error.errors, 422)
    db.session.commit()
    flash("The requirement is saved. Learners can now choose it for their certification.", "success")
    return redirect(url_for("renewal.templates"), code=303)


@bp.post("/admin/templates/<int:template_id>/delete")
@role_required(ADMIN)
def remove_template(template_id):
    template = renewal.template_in(current_user.agency_id, template_id)
    if template is None:
        abort(404)
    renewal.remove_template(template, current_user)
    db.session.commit()
    flash("The requirement is removed, with the certifications that used it.", "success")
    return redirect(url_for("renewal.templates"), code=303)


# Admins (their agency) and supervisors (their teams): reviewing external entries


def _review_page(errors=None, status=200):
    return render_template(
        "renewal/review.html",
        pending=renewal.reviewable_entries(current_user),
        formats=rules.DELIVERY_FORMATS,
        is_admin=current_user.has_role(ADMIN),
        errors=errors or {},
    ), status


@bp.get("/review")
@role_required(ADMIN, SUPERVISOR)
def review_queue():
    return _review_page()


@bp.post("/review/<int:entry_id>")
@role_required(ADMIN, SUPERVISOR)
def review_entry(entry_id):
    entry = renewal.reviewable_entry(current_user, entry_id)
    if entry is None:
        abort(404)
    try:
        renewal.review(entry, current_user, ReviewForm().checked())
    except InvalidInput as error:
        return _review_page({entry.id: error}, 422)
    db.session.commit()
    flash(f"“{entry.title}” is marked {entry.status}.", "success")
    return redirect(url_for("renewal.review_queue"), code=303)


@bp.post("/alerts")
@role_required(SUPERVISOR)
def save_alerts():
    wanted = AlertsForm().renewal_alerts.data
    renewal_reminders.set_alerts_wanted(current_user, wanted)
    db.session.commit()
    flash(
        "You will get an email when someone on your teams is short of renewal hours."
        if wanted
        else "You will not get emails about your teams' renewal hours.",
        "success",
    )
    return redirect(url_for("renewal.review_queue"), code=303)


# Supervisors: attendance at an in-person agency training


def _attendance_page(values=None, chosen=(), errors=None, status=200):
    teams = team_matrix.supervised_teams(current_user)
    return render_template(
        "renewal/attendance.html",
        members=team_matrix.members_of(teams),
        values=values or {},
        chosen=set(chosen),
        errors=errors or {},
    ), status


@bp.get("/trainings")
@role_required(SUPERVISOR)
def attendance_form():
    return _attendance_page()


@bp.post("/trainings")
@role_required(SUPERVISOR)
def record_attendance():
    form = AttendanceForm()
    try:
        renewal.record_training(current_user, form.checked(), _today())
    except InvalidInput as error:
        return _attendance_page(request.form, form.attendees.data, error.errors, 422)
    db.session.commit()
    flash("Attendance is recorded. Each attendee has a certificate of attendance under My certificates.", "success")
    return redirect(url_for("renewal.attendance_form"), code=303)
