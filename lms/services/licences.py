"""Professional credentials (licences, certifications) a learner holds, and their password.

A learner keeps their own; their agency's admins can see and change them too (audit-
logged). Certificates copy the licences on the day of completion, so a later change
never alters an issued certificate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import sqlalchemy as sa

from lms.extensions import db
from lms.models import ProfessionalCredential, User
from lms.services import audit
from lms.services.invalid_input import InvalidInput

FIELDS = (("kind", "Type, for example CPS, CPRS or LCSW", 40), ("number", "Number", 100), ("issuer", "Issuing state or board", 200))


@dataclass(frozen=True)
class LicenceValues:
    """One licence as checked values: each text single-spaced and within its FIELDS limit."""

    kind: str
    number: str
    issuer: str
    expires_on: date | None = None


@dataclass(frozen=True)
class PasswordChange:
    current: str
    new: str


def licences_of(user_id: int) -> list[ProfessionalCredential]:
    return list(
        db.session.scalars(
            sa.select(ProfessionalCredential).where(ProfessionalCredential.user_id == user_id).order_by(ProfessionalCredential.id)
        )
    )


def users_with_licences(user_ids) -> set[int]:
    """Which of these people have a licence on file (what a supervisor may know)."""
    return set(
        db.session.scalars(sa.select(ProfessionalCredential.user_id).where(ProfessionalCredential.user_id.in_(list(user_ids))).distinct())
    )


def find(user_id: int, licence_id: int) -> ProfessionalCredential | None:
    licence = db.session.get(ProfessionalCredential, licence_id)
    return licence if licence is not None and licence.user_id == user_id else None


def _record(holder: User, actor: User | None, action: str, licence: ProfessionalCredential) -> None:
    audit.record(
        holder.agency_id, actor.id if actor else None, action, holder.email, kind=licence.kind, number=licence.number, issuer=licence.issuer
    )


def add(holder: User, actor: User, values: LicenceValues) -> ProfessionalCredential:
    licence = ProfessionalCredential(user_id=holder.id, **asdict(values))
    db.session.add(licence)
    db.session.flush()
    _record(holder, actor, "licence.add", licence)
    return licence


def update(holder: User, actor: User, licence: ProfessionalCredential, values: LicenceValues) -> None:
    for field, value in asdict(values).items():
        setattr(licence, field, value)
    db.session.flush()
    _record(holder, actor, "licence.update", licence)


def remove(holder: User, actor: User, licence: ProfessionalCredential) -> None:
    _record(holder, actor, "licence.remove", licence)
    db.session.delete(licence)
    db.session.flush()


def record_imported(holder: User, actor: User | None, values: dict) -> None:
    """A licence from an import file: the same type and number updates it, else it is added."""
    same = next(
        (
            row
            for row in licences_of(holder.id)
            if (row.kind.lower(), row.number.lower()) == (values["kind"].lower(), values["number"].lower())
        ),
        None,
    )
    expires_on = date.fromisoformat(values["expires_on"]) if values.get("expires_on") else None
    if same is None:
        same = ProfessionalCredential(
            user_id=holder.id, kind=values["kind"], number=values["number"], issuer=values["issuer"], expires_on=expires_on
        )
        db.session.add(same)
    elif (same.issuer, same.expires_on) == (values["issuer"], expires_on):
        return
    else:
        same.issuer, same.expires_on = values["issuer"], expires_on
    db.session.flush()
    _record(holder, actor, "licence.import", same)


def change_password(user: User, change: PasswordChange) -> None:
    """Set the new password (its length and repetition already checked) once the current one is right."""
    if not user.check_password(change.current):
        raise InvalidInput({"current_password": "That is not your current password."})  # noqa: S105  (a field name)
    user.set_password(change.new)
    db.session.flush()
