"""Agency administration: the certificates the agency issued, their export, revocation and reissue."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.domain.roles import ADMIN
from lms.extensions import db
from lms.services import certificates
from lms.services.invalid_input import InvalidInput
from lms.web import certificate_export
from lms.web.access import catalog, role_required
from lms.web.admin import bp
from lms.web.admin.forms import RevokeForm
from lms.web.forms import ExportFilterForm


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
    form = ExportFilterForm({team.id for team in teams}, catalog(), whole_agency=True, formdata=request.args)
    try:
        filters = form.checked()
    except InvalidInput as error:
        return certificate_export.export_form(url_for("admin.export_certificates"), teams, request.args, error.errors, 400)
    return certificate_export.zip_response(current_user.agency_id, filters, "certificates.zip")


def _agency_certificate(certificate_id):
    certificate = certificates.agency_certificate(current_user.agency_id, certificate_id)
    if certificate is None:
        abort(404)
    return certificate


def _revoke_page(certificate, reason, errors, status=200):
    return render_template("admin/revoke_certificate.html", certificate=certificate, reason=reason, errors=errors), status


@bp.get("/certificates/<int:certificate_id>/revoke")
@role_required(ADMIN)
def confirm_revoke_certificate(certificate_id):
    return _revoke_page(_agency_certificate(certificate_id), "", {})


@bp.post("/certificates/<int:certificate_id>/revoke")
@role_required(ADMIN)
def revoke_certificate(certificate_id):
    certificate = _agency_certificate(certificate_id)
    try:
        certificates.revoke(certificate, current_user, RevokeForm().checked())
    except InvalidInput as error:
        db.session.rollback()
        return _revoke_page(certificate, request.form.get("reason", ""), error.errors, 422)
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
