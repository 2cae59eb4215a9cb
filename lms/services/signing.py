"""An agency's Ed25519 signing keys and the VC-JWTs they sign (joserfc).

Keys are only ever added: `flask certificates keys rotate` adds one, the newest signs,
and every key stays published in the issuer profile, so credentials signed earlier still
verify. Private keys are stored encrypted with the Vault (ENCRYPTION_KEYS).
"""

from __future__ import annotations

import json
import warnings

import sqlalchemy as sa
from joserfc import jws
from joserfc.jwk import OKPKey

from lms.extensions import db
from lms.models import Agency, SigningKey, User
from lms.services import audit
from lms.vault import Vault

ALGORITHM = "EdDSA"  # what Open Badges 3.0 names for Ed25519


def agency_keys(agency_id: int) -> list[SigningKey]:
    return list(db.session.scalars(sa.select(SigningKey).where(SigningKey.agency_id == agency_id).order_by(SigningKey.id)))


def add_key(agency: Agency, vault: Vault, actor: User | None = None) -> SigningKey:
    key = OKPKey.generate_key("Ed25519")
    public = key.as_dict(private=False)
    kid = key.thumbprint()
    row = SigningKey(
        agency_id=agency.id,
        kid=kid,
        public_jwk={**public, "kid": kid, "alg": ALGORITHM, "use": "sig"},
        private_key_encrypted=vault.encrypt(key.as_pem(private=True).decode()),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(agency.id, actor.id if actor else None, "signing_key.add", kid)
    return row


def current_key(agency: Agency, vault: Vault) -> SigningKey:
    keys = agency_keys(agency.id)
    return keys[-1] if keys else add_key(agency, vault)


def sign_jwt(claims: dict, key: SigningKey, vault: Vault, key_url: str) -> str:
    """A compact JWS of the claims, its header naming the key by the URL that publishes it."""
    private = OKPKey.import_key(vault.decrypt(key.private_key_encrypted))
    payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    with warnings.catch_warnings():
        # RFC 9864 prefers the name "Ed25519" to "EdDSA"; Open Badges 3.0 verifiers expect EdDSA.
        warnings.filterwarnings("ignore", message="EdDSA is deprecated")
        return jws.serialize_compact({"alg": ALGORITHM, "typ": "JWT", "kid": key_url}, payload, private, algorithms=[ALGORITHM])
