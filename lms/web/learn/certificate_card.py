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
    if certificate is None:
        return None
    return CertificateCard(
        certificate, hours_phrase(certificate.ce_hours, certificate.accreditation), public_url("verify.verify_code", code=certificate.code)
    )
