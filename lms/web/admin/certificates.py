"""Agency administration: the certificates the agency issued, their export, revocation and reissue."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.domain.roles import ADMIN
from lms.extensions import db
from lms.services import certificates
from lms.web import certificate_export
from lms.web.access import role_required
from lms.web.admin import bp


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
