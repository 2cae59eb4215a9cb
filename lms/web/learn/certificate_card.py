"""The certificate card a learner sees as soon as a course is complete."""

from __future__ import annotations

from dataclasses import dataclass

from lms.domain.certificates import hours_phrase
from lms.domain.progress import COMPLETE
from lms.models import Certificate
from lms.public_urls import public_url
from lms.services import certificates
from lms.services.completion import CourseStanding


@dataclass(frozen=True)
class CertificateCard:
    certificate: Certificate
    hours: str
    verify_url: str  # public: anyone can check the certificate there, without an account


def certificate_card(course_standing: CourseStanding) -> CertificateCard | None:
    """The card for a complete course; None before completion (or while its certificate is revoked)."""
    completion = course_standing.completion
    if course_standing.status != COMPLETE or completion is None:
        return None
    certificate = certificates.current_certificate(completion.id)
    return _card(certificate) if certificate is not None else None


def card_by_code(code: str | None) -> CertificateCard | None:
    """The card of a certificate the page already knows the code of (a lesson page)."""
    certificate = certificates.find_by_code(code) if code else None
    return _card(certificate) if certificate is not None else None


def _card(certificate: Certificate) -> CertificateCard:
    return CertificateCard(
        certificate, hours_phrase(certificate.ce_hours, certificate.accreditation), public_url("verify.verify_code", code=certificate.code)
    )
