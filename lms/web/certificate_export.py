"""The audit export's form and ZIP response, shared by admins (their agency) and
supervisors (their own teams)."""

from flask import Response, render_template

from lms.services.certificate_export import ExportFilters, stream_zip
from lms.web.access import catalog
from lms.web.certificates import render_certificate_pdf
from lms.web.downloads import streamed_zip

STATUS_LABELS = {"valid": "Valid", "expired": "Expired", "revoked": "Revoked", "replaced": "Replaced"}


def export_form(action: str, teams, values, errors, status=200):
    return render_template(
        "certificates/export.html",
        action=action,
        teams=teams,
        courses=list(catalog()),
        statuses=STATUS_LABELS,
        values=values,
        errors=errors,
    ), status


def zip_response(agency_id: int, filters: ExportFilters, file_name: str) -> Response:
    return streamed_zip(stream_zip(agency_id, filters, render_certificate_pdf), file_name)
