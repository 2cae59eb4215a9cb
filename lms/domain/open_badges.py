"""Open Badges 3.0: a certificate as an OpenBadgeCredential (a W3C Verifiable Credential),
the issuer's Profile, and the Bitstring Status List that publishes revocations.

Plain values in, plain JSON-ready dicts out; signing is lms.services.signing.
"""

from __future__ import annotations

import base64
import gzip
from datetime import date, datetime, timezone

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
# The Bitstring Status List spec's minimum length: enough positions that one tells nothing.
STATUS_LIST_BITS = 131_072
REVOCATION = "revocation"


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def end_of_day(day: date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


def status_position(certificate_id: int) -> tuple[int, int]:
    """(list number, index in that list): each certificate has a fixed place, by its id."""
    return divmod(certificate_id, STATUS_LIST_BITS)


def open_badge_credential(certificate, *, urls: dict, hours_phrase: str) -> dict:
    """certificate: an object with the Certificate model's fields.

    urls: verify (the credential's id), issuer, achievement, status_list, status_index.
    """
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": certificate.identity_hash,
                "identityType": "emailAddress",
                "hashed": True,
                "salt": certificate.identity_salt,
            }
        ],
        "achievement": {
            "id": urls["achievement"],
            "type": ["Achievement"],
            "achievementType": "Certificate",
            "name": certificate.course_title,
            "description": "Learning objectives: " + " ".join(certificate.objectives),
            "criteria": {
                "narrative": f"Completed every lesson of '{certificate.course_title}' and passed its knowledge check. {hours_phrase}."
            },
            "creditsAvailable": float(certificate.ce_hours),
            "version": certificate.course_version,
        },
        "creditsEarned": float(certificate.ce_hours),
        "activityEndDate": f"{certificate.completed_on.isoformat()}T00:00:00Z",
    }
    licences = certificate.licences or []
    if certificate.accreditation and licences:
        subject["licenseNumber"] = licences[0]["number"]
    kind = "continuing education" if certificate.accreditation else "completion"
    credential = {
        "@context": CONTEXTS,
        "id": urls["verify"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certificate.course_title}: certificate of {kind}",
        "issuer": {"id": urls["issuer"], "type": ["Profile"], "name": certificate.agency_name},
        "validFrom": iso(certificate.issued_at),
        "awardedDate": iso(certificate.original_issued_at or certificate.issued_at),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{urls['status_list']}#{urls['status_index']}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": REVOCATION,
            "statusListIndex": str(urls["status_index"]),
            "statusListCredential": urls["status_list"],
        },
    }
    if certificate.expires_on:
        credential["validUntil"] = end_of_day(certificate.expires_on)
    return credential


def issuer_profile(*, issuer_url: str, name: str, homepage: str, keys: list[dict]) -> dict:
    """The agency as an Open Badges Profile, with the public keys its credentials are signed by.

    keys: public JWKs, each with its "kid"; a JWT names the key by `issuer_url#kid`.
    """
    return {
        "@context": CONTEXTS,
        "id": issuer_url,
        "type": ["Profile"],
        "name": name,
        "url": homepage,
        "verificationMethod": [
            {"id": f"{issuer_url}#{key['kid']}", "type": "JsonWebKey", "controller": issuer_url, "publicKeyJwk": key} for key in keys
        ],
    }


def encoded_bitstring(positions) -> str:
    """The status list's bits, set at the given positions: GZIP, then base64url with the
    multibase 'u' prefix, as the W3C Bitstring Status List spec says. Bit 0 is the first
    byte's highest bit."""
    bits = bytearray(STATUS_LIST_BITS // 8)
    for position in positions:
        bits[position // 8] |= 0x80 >> (position % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")


def status_list_credential(*, list_url: str, issuer_url: str, issued: datetime, revoked_positions) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer_url},
        "validFrom": iso(issued),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": REVOCATION,
            "encodedList": encoded_bitstring(revoked_positions),
        },
    }


def vc_jwt_claims(credential: dict) -> dict:
    """The JWT payload of a VC-JWT (Open Badges 3.0, 8.2): the credential itself, with the
    registered claims it implies (iss, jti, nbf from validFrom, exp from validUntil)."""
    issuer = credential["issuer"]
    claims = {
        **credential,
        "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
        "jti": credential["id"],
        "nbf": _epoch(credential["validFrom"]),
    }
    if "validUntil" in credential:
        claims["exp"] = _epoch(credential["validUntil"])
    return claims


def _epoch(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp).timestamp())  # our stamps always end in Z (UTC)
