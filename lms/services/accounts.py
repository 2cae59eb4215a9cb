"""Creating agencies and people."""

from __future__ import annotations

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Agency, Team, User

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """Bad input for an account: the message is safe to show to the person."""


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise AccountError(f"'{email}' is not an email address")
    return email


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


def agency_named(name: str) -> Agency:
    """The agency with this name, created if it does not exist yet."""
    agency = db.session.scalar(sa.select(Agency).where(Agency.name == name))
    if agency is None:
        agency = Agency(name=name)
        db.session.add(agency)
        db.session.flush()
    return agency
