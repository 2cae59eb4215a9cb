"""Everything held about one person, for them to take away: one JSON document and their
files (certificate PDFs, outside CE certificates), packed in a ZIP.

Private writing is decrypted here for the person themself (or for an admin who hands the
download to them on request, audit-logged by the caller). Course evaluations are left out:
they are anonymous, and nothing shown to anyone ties one to its writer.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.domain.user_import import role_list
from lms.extensions import db
from lms.models import (
    Assignment,
    Certificate,
    CheckAttempt,
    CourseCompletion,
    ExternalCeEntry,
    LearnerCertification,
    LessonProgress,
    OutgoingMail,
    ProfessionalCredential,
    SentReminder,
    User,
    utcnow,
)
from lms.services import audit, certificates, private_writing

# The export's unseekable sink: zipfile writes data descriptors and never seeks back.
from lms.services.certificate_export import ZipPieces
from lms.vault import Vault

# Rendering a certificate PDF the first time takes a moment: at most this many per download.
# Rendered ones are kept, so downloading again brings the rest.
MAX_NEW_PDFS = 10
EVALUATIONS_NOTE = (
    "Course feedback you gave is not included: it is anonymous, and no page or report "
    "connects it to you, so it cannot be given back to you either."
)


def _day(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _rows_of(user_id: int):
    """rows(Model, *order_by): the person's rows of one table."""

    def rows(model, *order):
        return list(db.session.scalars(sa.select(model).where(model.user_id == user_id).order_by(*order or (model.id,))))

    return rows


def person_document(person: User, vault: Vault) -> dict:
    """What is held about the person, in plain JSON values. Files are named, not included."""
    user_id = person.id
    rows = _rows_of(user_id)
    plan = private_writing.plan_of(vault, user_id)
    return {
        "about_this_file": {
            "produced_at": utcnow().isoformat(),
            "what_it_is": "Everything Common Ground holds about you, as of the moment above.",
            "not_included": [EVALUATIONS_NOTE],
        },
        "profile": {
            "name": person.name,
            "email": person.email,
            "agency": person.agency.name,
            "team": person.team.name if person.team else None,
            "roles": role_list(person.roles),
            "supervises": sorted(team.name for team in person.supervised_teams),
            "joined_on": _day(person.joined_on),
            "account_created_at": _day(person.created_at),
            "active": person.active,
            "deactivated_at": _day(person.deactivated_at),
            "has_password": person.password_hash is not None,
            "weekly_digest_turned_off": person.digest_opt_out,
            "renewal_alerts_wanted": person.renewal_alerts_wanted,
        },
        "licences": [
            {"kind": row.kind, "number": row.number, "issuer": row.issuer, "expires_on": _day(row.expires_on)}
            for row in rows(ProfessionalCredential)
        ],
        "certifications_to_renew": [
            {"name": row.template.name, "number": row.number, "period_ends_on": _day(row.period_ends_on)}
            for row in rows(LearnerCertification)
        ],
        "outside_training": [_outside_entry(row) for row in rows(ExternalCeEntry)],
        "lesson_progress": [
            {
                "course": row.course_slug,
                "lesson": row.lesson_id,
                "first_opened_at": _day(row.first_viewed_at),
                "completed_at": _day(row.completed_at),
            }
            for row in rows(LessonProgress, LessonProgress.course_slug, LessonProgress.first_viewed_at)
        ],
        "knowledge_check_attempts": [
            {
                "course": row.course_slug,
                "course_version": row.course_version,
                "started_at": _day(row.started_at),
                "submitted_at": _day(row.submitted_at),
                "answers": row.answers,
                "score_percent": row.score,
                "pass_mark_percent": row.pass_mark,
                "passed": row.passed,
            }
            for row in rows(CheckAttempt, CheckAttempt.started_at)
        ],
        "course_completions": [
            {
                "course": row.course_slug,
                "title": row.course_title,
                "round": row.round,
                "completed_at": _day(row.completed_at),
                "score_percent": row.score,
                "ce_hours": row.ce_hours,
                "no_longer_counts_since": _day(row.voided_at),
            }
            for row in rows(CourseCompletion, CourseCompletion.completed_at)
        ],
        "certificates": [_certificate(row) for row in certificates.certificates_of(user_id)],
        "assigned_to_you_by_name": [
            {
                "course": row.course_slug,
                "due_on": _day(row.due_on),
                "due_days_after_joining": row.due_days_after_joining,
                "renew_yearly": row.renew_yearly,
            }
            for row in rows(Assignment)
        ],
        "reminders_sent": [{"kind": row.kind, "about": row.key, "sent_at": _day(row.sent_at)} for row in rows(SentReminder)],
        "mail_to_you": [
            {"subject": row.subject, "status": row.status, "created_at": _day(row.created_at), "sent_at": _day(row.sent_at)}
            for row in rows(OutgoingMail)
        ],
        "reflections": [
            {"course": item.course_slug, "lesson": item.lesson_id, "text": item.text, "updated_at": _day(item.updated_at)}
            for item in private_writing.reflections_of(vault, user_id)
        ],
        "self_care_plan": {"sections": plan.sections, "review_on": _day(plan.review_on), "updated_at": _day(plan.updated_at)}
        if plan.updated_at
        else None,
    }


def _outside_entry(row: ExternalCeEntry) -> dict:
    return {
        "title": row.title,
        "provider": row.provider,
        "taken_on": _day(row.taken_on),
        "hours": row.hours,
        "categories": row.categories,
        "delivery_format": row.delivery_format,
        "status": row.status,
        "review_reason": row.review_reason,
        "file": _entry_file_path(row) if row.file_name else None,
    }


def _entry_file_path(row: ExternalCeEntry) -> str:
    safe = "".join(c if c.isalnum() or c in "._-" else "-" for c in row.file_name or "file")[-80:]
    return f"outside-training/{row.id}-{safe}"


def _certificate(row: Certificate) -> dict:
    return {
        "code": row.code,
        "course": row.course_title,
        "name_printed": row.learner_name,
        "completed_on": _day(row.completed_on),
        "hours": row.ce_hours,
        "issued_at": _day(row.issued_at),
        "expires_on": _day(row.expires_on),
        "status": certificates.status(row),
        "licences_printed": row.licences,
        "revoked_reason": row.revoked_reason,
        "pdf": None,
    }


def stream_archive(user_id: int, vault: Vault, render_pdf) -> Iterator[bytes]:
    """The ZIP, a piece at a time: one PDF or file in memory at once, the JSON document last.

    render_pdf(certificate) -> bytes renders a certificate that has no PDF yet, at most
    MAX_NEW_PDFS per download; the caller commits before each piece goes out, so each new
    PDF is kept as soon as it is sent."""
    person = db.session.scalar(
        sa.select(User)
        .where(User.id == user_id)
        .options(so.joinedload(User.agency), so.joinedload(User.team), so.selectinload(User.supervised_teams))
    )
    document = person_document(person, vault)
    by_code = {item["code"]: item for item in document["certificates"]}
    sink = ZipPieces()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as package:
        new_pdfs = 0
        for certificate in certificates.current_certificates_of(person.id):
            fresh = certificate.pdf is None
            if fresh and new_pdfs >= MAX_NEW_PDFS:
                by_code[certificate.code]["pdf"] = "not included this time: download again to get it"
                continue
            pdf = certificates.cached_pdf(certificate, render_pdf)
            new_pdfs += fresh
            path = f"certificates/certificate-{certificate.code}.pdf"
            package.writestr(path, pdf, compress_type=zipfile.ZIP_STORED)  # a PDF is compressed already
            by_code[certificate.code]["pdf"] = path
            db.session.expunge(certificate)  # let the PDF bytes go
            yield sink.take()
        entry_ids = db.session.scalars(
            sa.select(ExternalCeEntry.id).where(ExternalCeEntry.user_id == person.id, ExternalCeEntry.file_name.is_not(None))
        ).all()
        for entry_id in entry_ids:
            entry = db.session.scalar(
                sa.select(ExternalCeEntry).where(ExternalCeEntry.id == entry_id).options(so.undefer(ExternalCeEntry.file))
            )
            if entry.file is not None:
                package.writestr(_entry_file_path(entry), entry.file)
            db.session.expunge(entry)
            yield sink.take()
        package.writestr("my-data.json", json.dumps(document, indent=2, ensure_ascii=False))
    yield sink.take()


def record_admin_download(person: User, actor: User) -> None:
    """An admin produced a person's data for them: kept in the audit log."""
    audit.record(person.agency_id, actor.id, "person.data_download", person.email)
