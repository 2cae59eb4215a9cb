"""My certificates and transcript (learners), and public verification (anyone)."""

import csv
import io
import json

import segno
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.domain.certificates import TranscriptRow, approval_statement, hours_label, normalize_code, transcript
from lms.domain.open_badges import open_badge_credential
from lms.domain.spreadsheet import safe_row
from lms.extensions import limiter
from lms.services import certificates
from lms.web.downloads import attachment, pdf_from_template, pdf_rate_limit, pdf_user_key

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
verify_bp = Blueprint("verify", __name__, url_prefix="/verify")


def verify_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/verify/{code}"


def certificate_context(certificate) -> dict:
    """Only plain values reach the print template (never model objects)."""
    url = verify_url(certificate.code)
    return {
        "learner_name": certificate.learner_name,
        "course_title": certificate.course_title,
        "completed_on": certificate.completed_on,
        "ce_hours": certificate.ce_hours,
        "hours_label": hours_label(certificate.accreditation),
        "objectives": list(certificate.objectives),
        "agency_name": certificate.agency_name,
        "signer_name": certificate.signer_name,
        "signer_title": certificate.signer_title,
        "approval_statement": approval_statement(certificate.accreditation),
        "course_version": certificate.course_version,
        "code": certificate.code,
        "verify_url": url,
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


def _transcript():
    rows = [
        TranscriptRow(c.completed_on, c.course_title, c.ce_hours, c.code)
        for c in certificates.current_certificates_of(current_user.id)
    ]
    return transcript(rows)


@bp.get("/")
@login_required
def my_certificates():
    return render_template(
        "certificates/index.html",
        certificates=certificates.certificates_of(current_user.id),
        transcript=_transcript(),
        hours_label=hours_label,
    )


@bp.get("/<code>.pdf")
@login_required
@limiter.limit(pdf_rate_limit, key_func=pdf_user_key)
def download_pdf(code):
    certificate = _own_certificate(code)
    pdf = certificates.cached_pdf(certificate, render_certificate_pdf)
    return _download(pdf, "application/pdf", f"certificate-{certificate.code}.pdf")


@bp.get("/<code>.json")
@login_required
def download_open_badge(code):
    certificate = _own_certificate(code)
    document = open_badge_credential(
        certificate,
        verify_url=verify_url(certificate.code),
        issuer_url=f"{current_app.config['PUBLIC_BASE_URL']}/agencies/{certificate.agency_id}",
        achievement_url=f"{current_app.config['PUBLIC_BASE_URL']}/courses/{certificate.course_slug}",
        hours_label=hours_label(certificate.accreditation),
    )
    body = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
    return _download(body, "application/json", f"open-badge-{certificate.code}.json")


@bp.get("/transcript.pdf")
@login_required
@limiter.limit(pdf_rate_limit, key_func=pdf_user_key)
def transcript_pdf():
    pdf = pdf_from_template("certificates/print/transcript.html", transcript=_transcript())
    return _download(pdf, "application/pdf", "ce-transcript.pdf")


@bp.get("/transcript.csv")
@login_required
def transcript_csv():
    data = _transcript()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["completed_on", "course", "hours", "certificate_code"])
    for row in data.rows:
        writer.writerow(safe_row([row.completed_on.isoformat(), row.course_title, f"{row.ce_hours:g}", row.code]))
    for year, hours in data.hours_by_year:
        writer.writerow([f"total {year}", "", f"{hours:g}", ""])
    writer.writerow(["total", "", f"{data.total_hours:g}", ""])
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
    status = 200 if certificate else 404
    return render_template("certificates/verified.html", certificate=certificate, code=code, hours_label=hours_label), status
