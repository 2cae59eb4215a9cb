"""Open Badges 3.0: a certificate as an OpenBadgeCredential (W3C Verifiable Credential).

Unsigned: the credential points at our public verification page, which is the source of
truth for whether it is still valid.
"""

from __future__ import annotations

from datetime import datetime, timezone

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def open_badge_credential(certificate, *, verify_url: str, issuer_url: str, achievement_url: str, hours_label: str) -> dict:
    """certificate: an object with the Certificate model's fields."""
    criteria = (
        f"Completed every lesson of '{certificate.course_title}' and passed its knowledge check. "
        f"{certificate.ce_hours:g} {hours_label}."
    )
    return {
        "@context": CONTEXTS,
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certificate.course_title}: certificate of completion",
        "issuer": {"id": issuer_url, "type": ["Profile"], "name": certificate.agency_name},
        "validFrom": _iso(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            # OB 3.0 names a recipient through an identifier; ours is the plain name.
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": certificate.learner_name,
                    "identityType": "name",
                    "hashed": False,
                }
            ],
            "achievement": {
                "id": achievement_url,
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": certificate.course_title,
                "description": "Learning objectives: " + " ".join(certificate.objectives),
                "criteria": {"narrative": criteria},
                "creditsAvailable": float(certificate.ce_hours),
            },
            "creditsEarned": float(certificate.ce_hours),
            "activityEndDate": f"{certificate.completed_on.isoformat()}T00:00:00Z",
        },
    }
