"""Agency administration: course file health, evaluation results."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.domain.evaluation import MIN_RESPONSES_TO_SHOW
from lms.domain.roles import ADMIN
from lms.extensions import db
from lms.services import certificates
from lms.services.agency_settings import SETTINGS_FIELDS, SettingsError, update_settings
from lms.services.evaluations import response_counts, summary_for
from lms.web.access import catalog, role_required
from lms.web.admin import bp


@bp.get("/")
@role_required(ADMIN)
def home():
    return render_template("admin/index.html")


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


def _agency_certificate(certificate_id):
    certificate = certificates.agency_certificate(current_user.agency_id, certificate_id)
    if certificate is None:
        abort(404)
    return certificate


@bp.post("/certificates/<int:certificate_id>/revoke")
@role_required(ADMIN)
def revoke_certificate(certificate_id):
    certificate = _agency_certificate(certificate_id)
    try:
        certificates.revoke(certificate, current_user, request.form.get("reason", ""))
    except certificates.CertificateError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Certificate {certificate.code} is revoked.", "success")
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


@bp.get("/settings")
@role_required(ADMIN)
def settings():
    agency = current_user.agency
    values = {field: getattr(agency, field) or "" for field, _ in SETTINGS_FIELDS}
    return render_template("admin/settings.html", values=values, errors={}, fields=SETTINGS_FIELDS)


@bp.post("/settings")
@role_required(ADMIN)
def save_settings():
    values = {field: request.form.get(field, "") for field, _ in SETTINGS_FIELDS}
    try:
        update_settings(current_user.agency, current_user, values)
    except SettingsError as error:
        return render_template("admin/settings.html", values=values, errors=error.errors, fields=SETTINGS_FIELDS), 422
    db.session.commit()
    flash("Settings saved. New certificates use them; certificates already issued keep what they say.", "success")
    return redirect(url_for("admin.settings"), code=303)
