"""My certificates and transcript (learners), and public verification (anyone)."""

import base64
import csv
import io
import json

import segno
from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.domain.certificates import (
    DELIVERY_FORMAT,
    VALID,
    TranscriptRow,
    approval_statement,
    certificate_title,
    hours_phrase,
    licence_line,
    normalize_code,
    plain_hours,
    transcript,
)
from lms.domain.renewal import DELIVERY_FORMATS, IN_PERSON, categories_line
from lms.domain.spreadsheet import safe_row
from lms.extensions import db, limiter
from lms.models import utcnow
from lms.public_urls import public_url
from lms.services import certificates, open_badges
from lms.services.certificates import licences_of
from lms.web.downloads import attachment, pdf_from_template, pdf_rate_limit, pdf_user_key

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
verify_bp = Blueprint("verify", __name__, url_prefix="/verify")


def certificate_context(certificate) -> dict:
    """Only plain values reach the print template (never model objects)."""
    url = public_url("verify.verify_code", code=certificate.code)
    continuing_education = certificate.is_continuing_education
    return {
        "title": certificate_title(certificate.accreditation),
        "continuing_education": continuing_education,
        "learner_name": certificate.learner_name,
        "course_title": certificate.course_title,
        "completed_on": certificate.completed_on,
        "hours_phrase": hours_phrase(certificate.ce_hours, certificate.accreditation),
        "delivery_format": DELIVERY_FORMATS.get(certificate.delivery_format or "", DELIVERY_FORMAT),
        "attended": certificate.delivery_format == IN_PERSON,
        "categories_line": categories_line(certificate.ce_categories),
        "objectives": list(certificate.objectives),
        "agency_name": certificate.agency_name,
        "signer_name": certificate.signer_name,
        "signer_title": certificate.signer_title,
        "approval_statement": approval_statement(certificate.accreditation),
        "provider_contact": (certificate.accreditation or {}).get("contact") or None,
        # A licence number on a certificate is a CE claim: only where an approval applies.
        "licences": [licence_line(item) for item in certificate.licences or []] if continuing_education else [],
        "expires_on": certificate.expires_on,
        "reissued_from": certificate.original_issued_at,
        "issued_on": certificate.issued_at,
        "code": certificate.code,
        "verify_url": url,
        "verify_url_base": url[: -len(certificate.code)],
        "qr_data_uri": segno.make(url, error="m").svg_data_uri(scale=4, border=0),
    }


def render_certificate_pdf(certificate) -> bytes:
    return pdf_from_template("certificates/print/certificate.html", **certificate_context(certificate))


def _download(body: bytes, mimetype: str, name: str):
    return attachment(body, mimetype, name, "private, no-cache")


def _own_certificate(code):
    certificate = certificates.learners_certificate(current_user.id, code)
    if certificate is None:
        abort(404)
    return certificate


def _holding(certificate):
    """A revoked or replaced certificate is never served again: 410, and why."""
    if certificate.revoked_at is not None or certificate.replaced_by_id is not None:
        abort(make_response(render_template("certificates/gone.html", certificate=certificate), 410))
    return certificate


def _transcript():
    rows = [
        TranscriptRow(c.completed_on, c.course_title, c.ce_hours, c.code, c.expires_on, certificates.status(c))
        for c in certificates.current_certificates_of(current_user.id)
    ]
    return transcript(rows)


@bp.get("/")
@login_required
def my_certificates():
    return render_template(
        "certificates/index.html",
        certificates=certificates.certificates_of(current_user.id),
        status_of=certificates.status,
        transcript=_transcript(),
        hours_phrase=hours_phrase,
        plain_hours=plain_hours,
    )


@bp.get("/<code>.pdf")
@login_required
@limiter.limit(pdf_rate_limit, key_func=pdf_user_key)
def download_pdf(code):
    certificate = _holding(_own_certificate(code))
    pdf = certificates.cached_pdf(certificate, render_certificate_pdf)
    db.session.commit()
    return _download(pdf, "application/pdf", f"certificate-{certificate.code}.pdf")


@bp.get("/<code>.json")
@login_required
def download_open_badge(code):
    certificate = _holding(_own_certificate(code))
    body = json.dumps(open_badges.credential_of(certificate), indent=2, ensure_ascii=False).encode("utf-8")
    return _download(body, "application/json", f"open-badge-{certificate.code}.json")


@bp.get("/<code>.jwt")
@login_required
def download_signed_badge(code):
    certificate = _holding(_own_certificate(code))
    token = open_badges.signed_credential(certificate, current_app.extensions["vault"])
    db.session.commit()  # the agency's first signing key, when this was the first credential
    return _download(token.encode("ascii"), "application/vc+jwt", f"open-badge-{certificate.code}.jwt")


def _logo_data_uri(agency) -> str | None:
    if not agency.logo:
        return None
    return f"data:{agency.logo_mimetype};base64,{base64.b64encode(agency.logo).decode()}"


@bp.get("/transcript.pdf")
@login_required
@limiter.limit(pdf_rate_limit, key_func=pdf_user_key)
def transcript_pdf():
    pdf = pdf_from_template(
        "certificates/print/transcript.html",
        transcript=_transcript(),
        learner=current_user,
        licences=[licence_line(item) for item in licences_of(current_user.id)],
        logo=_logo_data_uri(current_user.agency),
        produced_on=utcnow(),
        plain_hours=plain_hours,
        valid=VALID,
    )
    return _download(pdf, "application/pdf", "ce-transcript.pdf")


@bp.get("/transcript.csv")
@login_required
def transcript_csv():
    data = _transcript()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["completed_on", "course", "hours", "certificate_code", "expires_on", "status"])
    for row in data.rows:
        writer.writerow(
            safe_row(
                [
                    row.completed_on.isoformat(),
                    row.course_title,
                    f"{row.ce_hours:g}",
                    row.code,
                    row.expires_on.isoformat() if row.expires_on else "",
                    row.status,
                ]
            )
        )
    for year, hours in data.hours_by_year:
        writer.writerow([f"total {year}", "", f"{hours:g}", "", "", ""])
    writer.writerow(["total", "", f"{data.total_hours:g}", "", "", ""])
    return _download(out.getvalue().encode("utf-8"), "text/csv; charset=utf-8", "ce-transcript.csv")


def _verify_limit():
    return current_app.config["VERIFY_RATE_LIMIT"]


@verify_bp.get("")
@limiter.limit(_verify_limit)
def verify_form():
    typed = request.args.get("code")
    if typed is not None:
        code = normalize_code(typed)
        if code:
            return redirect(url_for("verify.verify_code", code=code))
        return render_template("certificates/verify.html", typed=typed, invalid=True), 400
    return render_template("certificates/verify.html", typed="", invalid=False)


@verify_bp.get("/<code>")
@limiter.limit(_verify_limit)
def verify_code(code):
    certificate = certificates.find_by_code(code)
    if certificate is None:
        return render_template("certificates/verified.html", certificate=None, code=code), 404
    return render_template(
        "certificates/verified.html",
        certificate=certificate,
        code=code,
        status=certificates.status(certificate),
        title=certificate_title(certificate.accreditation),
        hours=hours_phrase(certificate.ce_hours, certificate.accreditation),
        # A course's version: shown as the day it was completed on, with the content hash for whoever checks.
        course_version=None if certificate.delivery_format == IN_PERSON else certificate.course_version,
    )
