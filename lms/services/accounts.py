"""Creating agencies and people."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.domain.agencies import is_slug, name_key, slugify
from lms.extensions import db
from lms.models import Agency, Team, User
from lms.passwords import no_account_hash, password_matches
from lms.services.invalid_input import InvalidInput

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """Bad input for an account: the message is safe to show to the person."""


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise AccountError(f"'{email}' is not an email address")
    return email


def authenticate(email: str, password: str) -> User | None:
    """The active person with this email and password, or None.

    Exactly one password hash is checked for every kind of account (unknown, invited and
    without a password, deactivated, real), so the answer's timing reveals none of them.
    """
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    has_hash = user is not None and bool(user.password_hash)
    # With no real hash to check, one is checked anyway: every login costs one hash.
    matches = password_matches(user.password_hash if has_hash else no_account_hash(), password or "")
    if not matches or not has_hash or not user.active:
        return None
    return user


def end_sessions(user: User) -> None:
    """End every session of this person, on every server."""
    user.end_sessions()
    db.session.flush()


def create_user(agency: Agency, email: str, name: str, roles, password: str | None = None, team: Team | None = None) -> User:
    email = normalize_email(email)
    if not name or not name.strip():
        raise AccountError("a name is required")
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"there is already an account for {email}")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    user = User(agency=agency, email=email, name=name.strip(), team=team)
    try:
        user.set_roles(set(roles))
    except ValueError as error:
        raise AccountError(str(error)) from error
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def agency_with_slug(slug: str) -> Agency:
    """The agency the command line names by its slug; AccountError when there is none.

    Only an exact slug is accepted, never a name: a name can be changed by an agency's
    admin, so looking people's agency up by name would let one agency take another's.
    """
    agency = db.session.scalar(sa.select(Agency).where(Agency.slug == (slug or "").strip()))
    if agency is not None:
        return agency
    named = db.session.scalar(sa.select(Agency).where(Agency.name_key == name_key(slug)))
    if named is not None:
        raise AccountError(f"{slug!r} is an agency's name, not its slug: use --agency {named.slug}")
    raise AccountError(
        f"There is no agency with the slug {slug!r}. `flask agencies list` shows every agency; "
        'add --create-agency "Name" instead to create a new one.'
    )


def create_agency(name: str, slug: str | None = None) -> Agency:
    """A new agency; AccountError when the name (in any case) or the slug is taken."""
    name = " ".join((name or "").split())
    if not name:
        raise AccountError("the agency needs a name")
    slug = slug.strip() if slug else slugify(name)
    if not is_slug(slug):
        raise AccountError(f"{slug!r} is not a slug: use lower-case letters, digits and dashes")
    existing = db.session.scalar(sa.select(Agency).where(Agency.name_key == name_key(name)))
    if existing is not None:
        raise AccountError(
            f"An agency named {existing.name!r} already exists (slug {existing.slug}). "
            f"Use --agency {existing.slug} to add people to it, or choose another name."
        )
    if db.session.scalar(sa.select(Agency.id).where(Agency.slug == slug)) is not None:
        raise AccountError(f"The slug {slug!r} is taken by another agency: choose one with --slug")
    agency = Agency(name=name, slug=slug)
    db.session.add(agency)
    db.session.flush()
    return agency


def name_taken(name: str, agency: Agency) -> bool:
    """Whether another agency already uses this name (case and spacing aside)."""
    return db.session.scalar(sa.select(Agency.id).where(Agency.name_key == name_key(name), Agency.id != agency.id)) is not None


def agency_named(name: str) -> Agency:
    """Demo and benchmark data only: the agency with this name, created if it does not exist yet."""
    agency = db.session.scalar(sa.select(Agency).where(Agency.name_key == name_key(name)))
    return agency if agency is not None else create_agency(name)


@dataclass(frozen=True)
class PasswordChange:
    current: str
    new: str


def change_password(user: User, change: PasswordChange) -> None:
    """Set the new password (its length and repetition already checked) once the current one is right."""
    if not user.check_password(change.current):
        raise InvalidInput({"current_password": "That is not your current password."})  # noqa: S105  (a field name)
    user.set_password(change.new)
    db.session.flush()
