"""Open Badges for certificates and agencies: the credential with its public URLs, signed;
the agency's issuer profile; its signed revocation status list."""

from __future__ import annotations

from lms.domain.certificates import hours_phrase
from lms.domain.open_badges import (
    STATUS_LIST_BITS,
    issuer_profile,
    open_badge_credential,
    status_list_credential,
    status_position,
    vc_jwt_claims,
)
from lms.extensions import db
from lms.models import Agency, Certificate, utcnow
from lms.public_urls import public_url
from lms.services import certificates, signing
from lms.vault import Vault


def issuer_url(agency_id: int) -> str:
    return public_url("public.issuer_profile", agency_id=agency_id)


def credential_of(certificate: Certificate) -> dict:
    list_number, index = status_position(certificate.id)
    urls = {
        "verify": public_url("verify.verify_code", code=certificate.code),
        "issuer": issuer_url(certificate.agency_id),
        "achievement": public_url("public.achievement", agency_id=certificate.agency_id, slug=certificate.course_slug),
        "status_list": public_url("public.status_list", agency_id=certificate.agency_id, list_number=list_number),
        "status_index": index,
    }
    return open_badge_credential(certificate, urls=urls, hours_phrase=hours_phrase(certificate.ce_hours, certificate.accreditation))


def _signed(agency: Agency, vault: Vault, credential: dict) -> str:
    """Signed with the agency's newest key (made on first use: flushed, the caller commits)."""
    key = signing.current_key(agency, vault)
    return signing.sign_jwt(vc_jwt_claims(credential), key, vault, f"{issuer_url(agency.id)}#{key.kid}")


def signed_credential(certificate: Certificate, vault: Vault) -> str:
    return _signed(db.session.get(Agency, certificate.agency_id), vault, credential_of(certificate))


def profile_of(agency: Agency) -> dict:
    return issuer_profile(
        issuer_url=issuer_url(agency.id),
        name=agency.name,
        homepage=public_url("verify.verify_form"),
        keys=[key.public_jwk for key in signing.agency_keys(agency.id)],
    )


def signed_status_list(agency: Agency, list_number: int, vault: Vault) -> str:
    """The agency's revocation list number `list_number`: a bit set for each certificate
    that no longer holds (revoked or replaced)."""
    low = list_number * STATUS_LIST_BITS
    positions = [certificate_id - low for certificate_id in certificates.revoked_ids(agency.id, low, low + STATUS_LIST_BITS)]
    list_url = public_url("public.status_list", agency_id=agency.id, list_number=list_number)
    credential = status_list_credential(list_url=list_url, issuer_url=issuer_url(agency.id), issued=utcnow(), revoked_positions=positions)
    return _signed(agency, vault, credential)
