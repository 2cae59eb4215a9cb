"""The audit export's form and ZIP response, shared by admins (their agency) and
supervisors (their own teams)."""

from datetime import date

from flask import Response, render_template

from lms.services.certificate_export import ExportFilters, stream_zip
from lms.services.certificates import EXPORT_STATUSES
from lms.web.access import catalog
from lms.web.certificates import render_certificate_pdf
from lms.web.downloads import streamed_zip

STATUS_LABELS = {"valid": "Valid", "expired": "Expired", "revoked": "Revoked", "replaced": "Replaced"}


def parse_filters(args, allowed_team_ids: set[int], whole_agency: bool) -> tuple[ExportFilters, dict[str, str]]:
    """The filters from a query string, and an error per field that is not right.

    A team outside allowed_team_ids is refused, so no one exports beyond their teams."""
    errors = {}
    team_ids = None if whole_agency else sorted(allowed_team_ids)
    team_text = (args.get("team") or "").strip()
    if team_text:
        if team_text.isdigit() and int(team_text) in allowed_team_ids:
            team_ids = [int(team_text)]
        else:
            errors["team"] = "Choose one of the teams in the list."
    course_slug = (args.get("course") or "").strip()
    if course_slug and catalog().get(course_slug) is None:
        errors["course"] = "Choose one of the courses in the list."
    dates = {}
    for field in ("date_from", "date_to"):
        text = (args.get(field) or "").strip()
        try:
            dates[field] = date.fromisoformat(text) if text else None
        except ValueError:
            errors[field] = "Enter a date like 2026-03-31."
    if dates.get("date_from") and dates.get("date_to") and dates["date_from"] > dates["date_to"]:
        errors["date_to"] = "The end date must be on or after the start date."
    status = (args.get("status") or "").strip()
    if status and status not in EXPORT_STATUSES:
        errors["status"] = "Choose one of the statuses in the list."
    filters = ExportFilters(team_ids, course_slug, dates.get("date_from"), dates.get("date_to"), status, licence_details=whole_agency)
    return filters, errors


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
