"""Issuing, finding, revoking and re-issuing certificates."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.domain.certificates import Accreditation, accreditation_for, new_code, normalize_code
from lms.extensions import db
from lms.models import Agency, Certificate, CourseAccreditation, CourseCompletion, User, utcnow
from lms.services import audit


class CertificateError(ValueError):
    pass


def _accreditation(agency: Agency, course_slug: str) -> dict | None:
    course_row = db.session.scalar(
        sa.select(CourseAccreditation).where(
            CourseAccreditation.agency_id == agency.id, CourseAccreditation.course_slug == course_slug
        )
    )
    course_level = (
        Accreditation(course_row.provider, course_row.approval_number, course_row.approving_body) if course_row else None
    )
    agency_level = Accreditation(agency.ce_provider or "", agency.ce_approval_number or "", agency.ce_approving_body or "")
    chosen = accreditation_for(course_level, agency_level)
    return chosen.as_dict() if chosen else None


def issue_certificate(completion: CourseCompletion, objectives: list[str], learner: User | None = None) -> Certificate:
    """Freeze the facts of a completion into a certificate with a fresh code."""
    learner = learner or db.session.get(User, completion.user_id)
    agency = learner.agency
    facts = dict(
        completion_id=completion.id,
        user_id=learner.id,
        agency_id=agency.id,
        learner_name=learner.name,
        course_slug=completion.course_slug,
        course_title=completion.course_title,
        course_version=completion.course_version,
        objectives=list(objectives),
        completed_on=completion.completed_at.date(),
        ce_hours=completion.ce_hours,
        agency_name=agency.name,
        signer_name=agency.certificate_signer_name,
        signer_title=agency.certificate_signer_title,
        accreditation=_accreditation(agency, completion.course_slug),
    )
    for _ in range(5):  # a clash of 80-bit codes is astronomically unlikely; retry anyway
        certificate = Certificate(code=new_code(), **facts)
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
            return certificate
        except IntegrityError:
            continue
    raise CertificateError("could not find a free certificate code")


def find_by_code(code_text: str) -> Certificate | None:
    code = normalize_code(code_text)
    if code is None:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))


def certificates_of(user_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            sa.select(Certificate)
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.completed_on.desc(), Certificate.id.desc())
        )
    )


def current_certificates_of(user_id: int) -> list[Certificate]:
    """The certificates a learner holds now: not revoked, not replaced."""
    return [c for c in certificates_of(user_id) if c.revoked_at is None and c.replaced_by_id is None]


def learners_certificate(user_id: int, code_text: str) -> Certificate | None:
    certificate = find_by_code(code_text)
    return certificate if certificate and certificate.user_id == user_id else None


def agency_certificate(agency_id: int, certificate_id: int) -> Certificate | None:
    certificate = db.session.get(Certificate, certificate_id)
    return certificate if certificate and certificate.agency_id == agency_id else None


def agency_certificates(agency_id: int, search: str = "") -> list[Certificate]:
    query = sa.select(Certificate).where(Certificate.agency_id == agency_id)
    if search:
        code = normalize_code(search)
        pattern = f"%{search.strip().lower()}%"
        conditions = [sa.func.lower(Certificate.learner_name).like(pattern), sa.func.lower(Certificate.course_title).like(pattern)]
        if code:
            conditions.append(Certificate.code == code)
        query = query.where(sa.or_(*conditions))
    return list(db.session.scalars(query.order_by(Certificate.issued_at.desc()).limit(500)))


def cached_pdf(certificate: Certificate, render) -> bytes:
    """The certificate's PDF: rendered from its stored facts once, then served from the cache."""
    if certificate.pdf is None:
        certificate.pdf = render(certificate)
        db.session.commit()
    return certificate.pdf


def revoke(certificate: Certificate, actor: User, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("Give a reason for revoking the certificate; it is kept in the audit log.")
    if certificate.revoked_at is not None:
        raise CertificateError("This certificate is already revoked.")
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    audit.record(certificate.agency_id, actor.id, "certificate.revoke", certificate.code, reason=reason,
                 learner=certificate.learner_name, course=certificate.course_title)


def reissue(certificate: Certificate, actor: User) -> Certificate:
    """A new certificate for the same completion, with the learner's current name."""
    if certificate.replaced_by_id is not None:
        raise CertificateError("This certificate has already been replaced.")
    if certificate.revoked_at is not None:
        raise CertificateError("A revoked certificate cannot be re-issued.")
    completion = db.session.get(CourseCompletion, certificate.completion_id)
    replacement = issue_certificate(completion, certificate.objectives)
    db.session.flush()
    certificate.replaced_by_id = replacement.id
    audit.record(certificate.agency_id, actor.id, "certificate.reissue", certificate.code,
                 replaced_by=replacement.code, old_name=certificate.learner_name, new_name=replacement.learner_name)
    return replacement
