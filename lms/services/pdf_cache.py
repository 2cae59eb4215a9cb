"""Rendered PDFs of a learner's private writing, kept encrypted until what they print changes.
Flushes; the caller commits."""

from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa

from lms.extensions import db
from lms.models import PdfCache, utcnow
from lms.services.upsert import insert_on_conflict
from lms.vault import Vault

REFLECTIONS, SELF_CARE_PLAN = "reflections", "self-care-plan"


def fingerprint(secret: str, html: str) -> str:
    return hmac.new(secret.encode(), html.encode("utf-8"), hashlib.sha256).hexdigest()


def cached(vault: Vault, user_id: int, kind: str, print_fingerprint: str) -> bytes | None:
    row = db.session.get(PdfCache, (user_id, kind))
    if row is None or not hmac.compare_digest(row.fingerprint, print_fingerprint):
        return None
    return vault.decrypt_bytes(row.pdf_encrypted)


def keep(vault: Vault, user_id: int, kind: str, print_fingerprint: str, pdf: bytes) -> None:
    statement = insert_on_conflict(PdfCache).values(
        user_id=user_id, kind=kind, fingerprint=print_fingerprint, pdf_encrypted=vault.encrypt_bytes(pdf), created_at=utcnow()
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "kind"],
            set_={name: statement.excluded[name] for name in ("fingerprint", "pdf_encrypted", "created_at")},
        )
    )


def forget(user_id: int, kind: str) -> None:
    """Drop the cached PDF at once when the writing changes or is deleted: no stale copy lingers."""
    db.session.execute(sa.delete(PdfCache).where(PdfCache.user_id == user_id, PdfCache.kind == kind))


def forget_all() -> int:
    """After a key rotation: cached PDFs are re-rendered with the new key when next asked for."""
    return db.session.execute(sa.delete(PdfCache)).rowcount
