"""Agency administration: course file health, evaluation results."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.domain.evaluation import MIN_RESPONSES_TO_SHOW
from lms.domain.roles import ADMIN
from lms.extensions import db
from lms.domain import compliance_report
from lms.services import certificates, team_matrix
from lms.services.agency_dashboard import agency_counts
from lms.domain.markdown import render as render_markdown
from lms.services.agency_settings import (
    CERTIFICATE_RETENTION_LABELS, COURSE_APPROVAL_FIELDS, NUMBER_FIELDS, PRIVACY_NUMBER_FIELDS, SETTINGS_FIELDS,
    SettingsError, course_approvals, remove_course_approval,
    set_course_approval, set_logo, update_role_card, update_settings,
)
from lms.services.role_card import DEFAULT_ROLE_CARD_PATH
from lms.services.evaluations import response_counts, summary_for
from lms.web import certificate_export
from lms.web.access import catalog, role_required
from lms.web.admin import bp
from lms.web.downloads import attachment, pdf_from_template


@bp.get("/")
@role_required(ADMIN)
def home():
    today = date.today()
    return render_template(
        "admin/index.html",
        counts=agency_counts(current_user.agency_id, today),
        compliance=team_matrix.agency_matrix(current_user.agency_id, catalog(), today),
    )


@bp.get("/compliance.csv")
@role_required(ADMIN)
def compliance_csv():
    today = date.today()
    report = team_matrix.agency_matrix(current_user.agency_id, catalog(), today)
    body = compliance_report.csv_text(report)
    return attachment(body.encode("utf-8"), "text/csv; charset=utf-8", f"required-training-{today.isoformat()}.csv", "private, no-store")


@bp.get("/compliance.pdf")
@role_required(ADMIN)
def compliance_pdf():
    today = date.today()
    report = team_matrix.agency_matrix(current_user.agency_id, catalog(), today)
    pdf = pdf_from_template(
        "admin/print/compliance.html", agency=current_user.agency, report=report, lines=list(compliance_report.lines(report)),
        today=today,
    )
    return attachment(pdf, "application/pdf", f"required-training-{today.isoformat()}.pdf", "private, no-store")


@bp.get("/courses")
@role_required(ADMIN)
def course_health():
    return render_template("admin/courses.html", catalog=catalog())


@bp.get("/evaluations")
@role_required(ADMIN)
def evaluations():
    return render_template(
        "admin/evaluations.html",
        courses=list(catalog()),
        counts=response_counts(current_user.agency_id),
        minimum=MIN_RESPONSES_TO_SHOW,
    )


@bp.get("/evaluations/<slug>")
@role_required(ADMIN)
def evaluation_summary(slug):
    course = catalog().get(slug)
    if course is None:
        abort(404)
    responses, summary = summary_for(current_user.agency_id, course)
    return render_template(
        "admin/evaluation_summary.html", course=course, responses=responses, summary=summary, minimum=MIN_RESPONSES_TO_SHOW
    )


@bp.get("/certificates")
@role_required(ADMIN)
def certificate_list():
    search = request.args.get("q", "").strip()
    return render_template(
        "admin/certificates.html", certificates=certificates.agency_certificates(current_user.agency_id, search), search=search
    )


@bp.get("/certificates/export")
@role_required(ADMIN)
def export_form():
    teams = certificates.agency_teams(current_user.agency_id)
    return certificate_export.export_form(url_for("admin.export_certificates"), teams, {}, {})


@bp.get("/certificates/export.zip")
@role_required(ADMIN)
def export_certificates():
    teams = certificates.agency_teams(current_user.agency_id)
    filters, errors = certificate_export.parse_filters(request.args, {team.id for team in teams}, whole_agency=True)
    if errors:
        return certificate_export.export_form(url_for("admin.export_certificates"), teams, request.args, errors, 400)
    return certificate_export.zip_response(current_user.agency_id, filters, "certificates.zip")


def _agency_certificate(certificate_id):
    certificate = certificates.agency_certificate(current_user.agency_id, certificate_id)
    if certificate is None:
        abort(404)
    return certificate


@bp.get("/certificates/<int:certificate_id>/revoke")
@role_required(ADMIN)
def confirm_revoke_certificate(certificate_id):
    certificate = _agency_certificate(certificate_id)
    return render_template("admin/revoke_certificate.html", certificate=certificate, reason="", error=None)


@bp.post("/certificates/<int:certificate_id>/revoke")
@role_required(ADMIN)
def revoke_certificate(certificate_id):
    certificate = _agency_certificate(certificate_id)
    reason = request.form.get("reason", "")
    try:
        certificates.revoke(certificate, current_user, reason)
    except certificates.CertificateError as error:
        db.session.rollback()
        return render_template("admin/revoke_certificate.html", certificate=certificate, reason=reason, error=str(error)), 422
    db.session.commit()
    flash(f"Certificate {certificate.code} is revoked. The learner can earn the course again.", "success")
    return redirect(url_for("admin.certificate_list", q=certificate.code), code=303)


@bp.post("/certificates/<int:certificate_id>/undo-revoke")
@role_required(ADMIN)
def undo_revocation(certificate_id):
    certificate = _agency_certificate(certificate_id)
    try:
        certificates.undo_revocation(certificate, current_user)
    except certificates.CertificateError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Certificate {certificate.code} is valid again.", "success")
    return redirect(url_for("admin.certificate_list", q=certificate.code), code=303)


@bp.post("/certificates/<int:certificate_id>/reissue")
@role_required(ADMIN)
def reissue_certificate(certificate_id):
    certificate = _agency_certificate(certificate_id)
    try:
        replacement = certificates.reissue(certificate, current_user)
    except certificates.CertificateError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.certificate_list", q=certificate.code), code=303)
    db.session.commit()
    flash(f"Certificate {certificate.code} is replaced by {replacement.code}, in the name {replacement.learner_name}.", "success")
    return redirect(url_for("admin.certificate_list", q=replacement.code), code=303)


def _settings_page(values, errors, status=200):
    return render_template(
        "admin/settings.html", values=values, errors=errors, fields=SETTINGS_FIELDS, number_fields=NUMBER_FIELDS,
        privacy_number_fields=PRIVACY_NUMBER_FIELDS, retention_labels=CERTIFICATE_RETENTION_LABELS,
        agency=current_user.agency,
    ), status


@bp.get("/settings")
@role_required(ADMIN)
def settings():
    agency = current_user.agency
    fields = ([field for field, _ in SETTINGS_FIELDS] + [field for field, *_ in NUMBER_FIELDS]
              + [field for field, *_ in PRIVACY_NUMBER_FIELDS] + ["certificate_retention"])
    return _settings_page({field: str(getattr(agency, field) or "") for field in fields}, {})


@bp.post("/settings")
@role_required(ADMIN)
def save_settings():
    try:
        update_settings(current_user.agency, current_user, request.form)
        logo = request.files.get("logo")
        if logo and logo.filename:
            set_logo(current_user.agency, current_user, logo.read())
    except SettingsError as error:
        db.session.rollback()
        return _settings_page(request.form, error.errors, 422)
    db.session.commit()
    flash("Settings saved. New certificates use them; certificates already issued keep what they say.", "success")
    return redirect(url_for("admin.settings"), code=303)


def _approvals_page(values, errors, status=200):
    return render_template(
        "admin/ce_approvals.html", courses=list(catalog()), approvals=course_approvals(current_user.agency_id),
        fields=COURSE_APPROVAL_FIELDS, values=values, errors=errors, agency=current_user.agency,
    ), status


@bp.get("/ce-approvals")
@role_required(ADMIN)
def ce_approvals():
    return _approvals_page({}, {})


@bp.post("/ce-approvals")
@role_required(ADMIN)
def save_ce_approval():
    slug = request.form.get("course", "")
    course = catalog().get(slug)
    try:
        if course is None:
            raise SettingsError({"course": "Choose one of the courses in the list."})
        set_course_approval(current_user.agency, current_user, slug, request.form)
    except SettingsError as error:
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
    text = request.form.get("role_card", "")
    try:
        update_role_card(current_user.agency, current_user, text)
    except SettingsError as error:
        return render_template("admin/role_card.html", text=text, preview=render_markdown(text).html, errors=error.errors), 422
    db.session.commit()
    flash("The role card is saved. Lessons that show it use it now.", "success")
    return redirect(url_for("admin.role_card"), code=303)
