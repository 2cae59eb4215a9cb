"""Links by email to set a password: invitations for new people, and password resets.

The mails go through the outbox; the link is made when the mail is sent.

A link is signed and expires. It is single-use without a table: it carries a fingerprint
of the person's email and password hash, so it stops working once a password is set
(or the email changes). No password is ever sent by mail.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lms.extensions import db
from lms.mail import Mail
from lms.models import User
from lms.public_urls import public_url
from lms.services import outbox


@dataclass(frozen=True)
class LinkPurpose:
    name: str  # also the signing salt, so one purpose's link is refused for another
    valid_for: timedelta
    valid_for_words: str
    subject: str
    mail_template: str
    endpoint: str


INVITATION = LinkPurpose(
    "invitation", timedelta(days=7), "7 days", "Your Common Ground account is ready", "email/invitation", "auth.invitation_form"
)
PASSWORD_RESET = LinkPurpose(
    "password-reset",
    timedelta(hours=1),
    "1 hour",
    "Set a new password for Common Ground",
    "email/password_reset",
    "auth.reset_password_form",
)

PURPOSES = {purpose.name: purpose for purpose in (INVITATION, PASSWORD_RESET)}

EXPIRED, USED, BROKEN = "expired", "used", "broken"


class LinkRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer(purpose: LinkPurpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"account-link:{purpose.name}")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.email}\n{user.password_hash or 'none'}".encode()).hexdigest()[:32]


def _link_token(user: User, purpose: LinkPurpose) -> str:
    return _serializer(purpose).dumps({"user": user.id, "fingerprint": _fingerprint(user)})


def link_url(user: User, purpose: LinkPurpose) -> str:
    return public_url(purpose.endpoint, token=_link_token(user, purpose))


def user_from_link(token: str, purpose: LinkPurpose) -> User:
    """The person a link is for; LinkRefused(EXPIRED, USED or BROKEN) otherwise."""
    try:
        payload = _serializer(purpose).loads(token, max_age=int(purpose.valid_for.total_seconds()))
    except SignatureExpired as error:
        raise LinkRefused(EXPIRED) from error
    except BadSignature as error:
        raise LinkRefused(BROKEN) from error
    user = db.session.get(User, payload["user"])
    if user is None or not user.active:
        raise LinkRefused(BROKEN)
    if payload["fingerprint"] != _fingerprint(user):
        raise LinkRefused(USED)
    return user


def link_mail(user: User, purpose: LinkPurpose) -> Mail:
    """The mail with a fresh link, made when the outbox sends it."""
    # A network admin belongs to no agency.
    agency = user.agency.name if user.agency is not None else "your network"
    context = dict(name=user.name, email=user.email, agency=agency, url=link_url(user, purpose), valid_for=purpose.valid_for_words)
    return Mail(
        user.email,
        purpose.subject,
        render_template(f"{purpose.mail_template}.txt", **context),
        render_template(f"{purpose.mail_template}.html", **context),
    )


def queue_link_mails(users: list[User], purpose: LinkPurpose) -> int:
    """Queue each person's link mail in the outbox (sent by `flask mail send`); flushes."""
    return outbox.queue_links(users, purpose)


def request_password_reset(email: str) -> None:
    """Queue a link to set a password, if an active account has this email.

    The caller tells the person the same thing either way, so this reveals nothing.
    Someone who never set a password gets a new invitation.
    """
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.active:
        return
    queue_link_mails([user], INVITATION if user.password_hash is None else PASSWORD_RESET)
