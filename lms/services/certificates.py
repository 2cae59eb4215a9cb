"""Issuing, finding, revoking (and undoing that), re-issuing and exporting certificates."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.domain.certificates import (
    REPLACED,
    REVOKED,
    VALID,
    Accreditation,
    accreditation_for,
    expiry_for,
    identity_hash,
    new_code,
    new_salt,
    normalize_code,
    status_of,
)
from lms.extensions import db
from lms.models import (
    Agency,
    Certificate,
    CourseAccreditation,
    CourseCompletion,
    ProfessionalCredential,
    Team,
    User,
    utcnow,
)
from lms.services import audit, xapi
from lms.services.agency_rows import agency_row
from lms.services.invalid_input import InvalidInput


class CertificateError(ValueError):
    pass


def _accreditation(agency: Agency, course_slug: str) -> dict | None:
    course_row = db.session.scalar(
        sa.select(CourseAccreditation).where(CourseAccreditation.agency_id == agency.id, CourseAccreditation.course_slug == course_slug)
    )
    course_level = (
        Accreditation(course_row.provider, course_row.approval_number, course_row.approving_body, agency.ce_provider_contact or "")
        if course_row
        else None
    )
    agency_level = Accreditation(
        agency.ce_provider or "", agency.ce_approval_number or "", agency.ce_approving_body or "", agency.ce_provider_contact or ""
    )
    chosen = accreditation_for(course_level, agency_level)
    return chosen.as_dict() if chosen else None


def licences_of(user_id: int) -> list[dict]:
    rows = db.session.scalars(
        sa.select(ProfessionalCredential).where(ProfessionalCredential.user_id == user_id).order_by(ProfessionalCredential.id)
    )
    return [
        {"kind": row.kind, "number": row.number, "issuer": row.issuer, "expires_on": row.expires_on.isoformat() if row.expires_on else None}
        for row in rows
    ]


def _add_with_fresh_code(facts: dict) -> Certificate:
    for _ in range(5):  # a clash of 80-bit codes is astronomically unlikely; retry anyway
        certificate = Certificate(code=new_code(), **facts)
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
            return certificate
        except IntegrityError:
            continue
    raise CertificateError("could not find a free certificate code")


def _identity(learner: User) -> dict:
    salt = new_salt()
    return dict(identity_salt=salt, identity_hash=identity_hash(learner.email, salt))


def issue_certificate(
    completion: CourseCompletion,
    objectives: list[str],
    learner: User | None = None,
    valid_for_months: int | None = None,
    ce_categories: dict | None = None,
    delivery_format: str | None = None,
) -> Certificate:
    """Freeze the facts of a completion, on its day, into a certificate with a fresh code:
    the CE approval in force, the learner's licences, the hours by category, and when it expires.

    delivery_format: a key of lms.domain.renewal.DELIVERY_FORMATS; None is a self-paced online course."""
    learner = learner or db.session.get(User, completion.user_id)
    agency = learner.agency
    completed_on = completion.completed_at.date()
    certificate = _add_with_fresh_code(
        dict(
            completion_id=completion.id,
            user_id=learner.id,
            agency_id=agency.id,
            learner_name=learner.name,
            course_slug=completion.course_slug,
            course_title=completion.course_title,
            course_version=completion.course_version,
            objectives=list(objectives),
            completed_on=completed_on,
            ce_hours=completion.ce_hours,
            agency_name=agency.name,
            signer_name=agency.certificate_signer_name,
            signer_title=agency.certificate_signer_title,
            accreditation=_accreditation(agency, completion.course_slug),
            licences=licences_of(learner.id),
            expires_on=expiry_for(completed_on, valid_for_months),
            ce_categories=ce_categories or None,
            delivery_format=delivery_format,
            **_identity(learner),
        )
    )
    xapi.certificate_earned(certificate)
    return certificate


def status(certificate: Certificate, today: date | None = None) -> str:
    return status_of(
        revoked=certificate.revoked_at is not None,
        replaced=certificate.replaced_by_id is not None,
        expires_on=certificate.expires_on,
        today=today or utcnow().date(),
    )


def find_by_code(code_text: str) -> Certificate | None:
    code = normalize_code(code_text)
    if code is None:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))


def current_certificate(completion_id: int) -> Certificate | None:
    """The certificate that stands for a completion: not replaced, not revoked."""
    return db.session.scalar(
        sa.select(Certificate).where(
            Certificate.completion_id == completion_id, Certificate.replaced_by_id.is_(None), Certificate.revoked_at.is_(None)
        )
    )


def certificates_of(user_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            sa.select(Certificate).where(Certificate.user_id == user_id).order_by(Certificate.completed_on.desc(), Certificate.id.desc())
        )
    )


def current_certificates_of(user_id: int) -> list[Certificate]:
    """The certificates a learner holds now: not revoked, not replaced (expired ones too)."""
    return [c for c in certificates_of(user_id) if c.revoked_at is None and c.replaced_by_id is None]


def learners_certificate(user_id: int, code_text: str) -> Certificate | None:
    certificate = find_by_code(code_text)
    return certificate if certificate and certificate.user_id == user_id else None


def agency_certificate(agency_id: int, certificate_id: int) -> Certificate | None:
    return agency_row(Certificate, certificate_id, agency_id)


def _holder_not_erased():
    """Certificates kept after their holder was erased answer a check of their code, and nothing else."""
    return Certificate.user_id.not_in(sa.select(User.id).where(User.erased_at.is_not(None)))


def agency_certificates(agency_id: int, search: str = "") -> list[Certificate]:
    query = sa.select(Certificate).where(Certificate.agency_id == agency_id, _holder_not_erased())
    if search:
        code = normalize_code(search)
        pattern = f"%{search.strip().lower()}%"
        conditions = [sa.func.lower(Certificate.learner_name).like(pattern), sa.func.lower(Certificate.course_title).like(pattern)]
        if code:
            conditions.append(Certificate.code == code)
        query = query.where(sa.or_(*conditions))
    return list(db.session.scalars(query.order_by(Certificate.issued_at.desc()).limit(500)))


def cached_pdf(certificate: Certificate, render) -> bytes:
    """The certificate's PDF: rendered from its stored facts once, then served from the cache.

    Flushed only: the request (or the export, one certificate at a time) commits."""
    if certificate.pdf is None:
        certificate.pdf = render(certificate)
        db.session.flush()
    return certificate.pdf


def revoke(certificate: Certificate, actor: User, reason: str) -> None:
    """Revoke with a reason (given, stripped). The completion stops counting, so the learner can
    earn the course again. Raises InvalidInput when the certificate cannot be revoked."""
    if certificate.revoked_at is not None:
        raise InvalidInput({"certificate": "This certificate is already revoked."})
    if certificate.replaced_by_id is not None:
        raise InvalidInput({"certificate": "This certificate was replaced; revoke the certificate that replaced it."})
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    db.session.get(CourseCompletion, certificate.completion_id).voided_at = certificate.revoked_at
    audit.record(
        certificate.agency_id,
        actor.id,
        "certificate.revoke",
        certificate.code,
        reason=reason,
        learner=certificate.learner_name,
        course=certificate.course_title,
    )
    xapi.certificate_revoked(certificate)
    db.session.flush()


def undo_revocation(certificate: Certificate, actor: User) -> None:
    if certificate.revoked_at is None:
        raise CertificateError("This certificate is not revoked.")
    if certificate.withdrawn_at is not None:
        raise CertificateError("This certificate was withdrawn when its holder was erased; it cannot come back.")
    completion = db.session.get(CourseCompletion, certificate.completion_id)
    later = db.session.scalar(
        sa.select(sa.func.count()).where(
            CourseCompletion.user_id == completion.user_id,
            CourseCompletion.course_slug == completion.course_slug,
            CourseCompletion.round > completion.round,
        )
    )
    if later:
        raise CertificateError("The learner has earned this course again since, so this revocation stays.")
    audit.record(
        certificate.agency_id,
        actor.id,
        "certificate.unrevoke",
        certificate.code,
        revoked_on=certificate.revoked_at.date().isoformat(),
        reason=certificate.revoked_reason,
        learner=certificate.learner_name,
        course=certificate.course_title,
    )
    certificate.revoked_at = None
    certificate.revoked_reason = None
    completion.voided_at = None
    xapi.certificate_earned(certificate, utcnow())
    db.session.flush()


def reissue(certificate: Certificate, actor: User) -> Certificate:
    """A new certificate for the same completion in the learner's current name. Every other
    fact (approval, licences, hours, dates) is the original's; it says it is a re-issue."""
    if certificate.replaced_by_id is not None:
        raise CertificateError("This certificate has already been replaced.")
    if certificate.revoked_at is not None:
        raise CertificateError("A revoked certificate cannot be re-issued.")
    if db.session.get(User, certificate.user_id).erased_at is not None:
        raise CertificateError("Its holder was erased: there is no one to re-issue it to.")
    learner = db.session.get(User, certificate.user_id)
    kept = {
        column: getattr(certificate, column)
        for column in (
            "completion_id",
            "user_id",
            "agency_id",
            "course_slug",
            "course_title",
            "course_version",
            "objectives",
            "completed_on",
            "ce_hours",
            "agency_name",
            "signer_name",
            "signer_title",
            "accreditation",
            "licences",
            "expires_on",
            "ce_categories",
            "delivery_format",
        )
    }
    replacement = _add_with_fresh_code(
        dict(
            kept,
            learner_name=learner.name,
            original_issued_at=certificate.original_issued_at or certificate.issued_at,
            **_identity(learner),
        )
    )
    db.session.flush()
    certificate.replaced_by_id = replacement.id
    audit.record(
        certificate.agency_id,
        actor.id,
        "certificate.reissue",
        certificate.code,
        replaced_by=replacement.code,
        old_name=certificate.learner_name,
        new_name=replacement.learner_name,
    )
    db.session.flush()
    return replacement


def revoked_ids(agency_id: int, low: int, high: int) -> list[int]:
    """Ids in [low, high) of the agency's certificates that no longer hold (revoked or replaced)."""
    return list(
        db.session.scalars(
            sa.select(Certificate.id).where(
                Certificate.agency_id == agency_id,
                Certificate.id >= low,
                Certificate.id < high,
                sa.or_(Certificate.revoked_at.is_not(None), Certificate.replaced_by_id.is_not(None)),
            )
        )
    )


EXPORT_STATUSES = (VALID, "expired", REVOKED, REPLACED)


def export_rows(
    agency_id: int,
    *,
    team_ids=None,
    course_slug: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    wanted_status: str = "",
    today: date | None = None,
) -> list:
    """(id, learner_name, course_slug, completed_on) of the certificates an audit export
    holds, oldest completion first; the PDFs are loaded one at a time later.

    team_ids: None for the whole agency, else only people on these teams (a supervisor's)."""
    today = today or utcnow().date()
    query = sa.select(Certificate.id, Certificate.learner_name, Certificate.course_slug, Certificate.completed_on).where(
        Certificate.agency_id == agency_id, _holder_not_erased()
    )
    if team_ids is not None:
        query = query.join(User, User.id == Certificate.user_id).where(User.team_id.in_(team_ids or [-1]))
    if course_slug:
        query = query.where(Certificate.course_slug == course_slug)
    if date_from:
        query = query.where(Certificate.completed_on >= date_from)
    if date_to:
        query = query.where(Certificate.completed_on <= date_to)
    revoked, replaced = Certificate.revoked_at.is_not(None), Certificate.replaced_by_id.is_not(None)
    expired = sa.and_(Certificate.expires_on.is_not(None), Certificate.expires_on < today)
    if wanted_status == VALID:
        query = query.where(~revoked, ~replaced, ~expired)
    elif wanted_status == "expired":
        query = query.where(~revoked, ~replaced, expired)
    elif wanted_status == REVOKED:
        query = query.where(revoked, ~replaced)
    elif wanted_status == REPLACED:
        query = query.where(replaced)
    return db.session.execute(query.order_by(Certificate.completed_on, Certificate.id)).all()


def agency_teams(agency_id: int) -> list[Team]:
    return list(db.session.scalars(sa.select(Team).where(Team.agency_id == agency_id).order_by(Team.name)))
