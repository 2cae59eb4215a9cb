"""Invitations not accepted yet, and sending them again in bulk (through the outbox).

Flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from lms.domain.invitations import InvitationState, LastInvitation, invitation_state, recently_queued
from lms.domain.wording import counted
from lms.extensions import db
from lms.models import Agency, OutgoingMail, User, utcnow
from lms.services import account_links, audit

# A second press of the button, or the form sent twice, within this time sends nothing more.
RESEND_PAUSE = timedelta(minutes=10)


@dataclass(frozen=True)
class PendingInvitation:
    person: User
    status: InvitationState


@dataclass
class ResendResult:
    sent: list[User] = field(default_factory=list)
    recent: list[User] = field(default_factory=list)  # queued within RESEND_PAUSE: not sent again
    not_needed: list[User] = field(default_factory=list)  # set a password meanwhile, or deactivated


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def _last_invitations(user_ids) -> dict[int, LastInvitation]:
    rows = db.session.execute(
        sa.select(OutgoingMail.user_id, OutgoingMail.status, OutgoingMail.created_at, OutgoingMail.sent_at)
        .where(OutgoingMail.user_id.in_(user_ids), OutgoingMail.kind == account_links.INVITATION.name)
        .order_by(OutgoingMail.created_at, OutgoingMail.id)
    )
    return {user_id: LastInvitation(status, _aware(queued), _aware(sent)) for user_id, status, queued, sent in rows}


def _not_accepted(agency_id: int, *columns):
    return sa.select(*(columns or (User,))).where(User.agency_id == agency_id, User.active, User.password_hash.is_(None))


def pending_invitations(agency_id: int, now: datetime | None = None) -> list[PendingInvitation]:
    """Active people of the agency who have not set a password yet, with their invitation's state."""
    now = now or utcnow()
    people = list(db.session.scalars(_not_accepted(agency_id).order_by(User.name, User.id)))
    last = _last_invitations(_not_accepted(agency_id, User.id))
    valid_for = account_links.INVITATION.valid_for
    return [PendingInvitation(person, invitation_state(last.get(person.id), now, valid_for)) for person in people]


def resend_invitations(agency: Agency, actor: User, user_ids: list[int], now: datetime | None = None) -> ResendResult:
    """Queue a fresh invitation for each chosen person who still needs one; ids of other agencies are ignored."""
    now = now or utcnow()
    chosen = (
        list(db.session.scalars(sa.select(User).where(User.agency_id == agency.id, User.id.in_(user_ids)).order_by(User.name, User.id)))
        if user_ids
        else []
    )
    last = _last_invitations([person.id for person in chosen])
    result = ResendResult()
    for person in chosen:
        if not person.active or person.password_hash is not None:
            result.not_needed.append(person)
        elif recently_queued(last.get(person.id), now, RESEND_PAUSE):
            result.recent.append(person)
        else:
            result.sent.append(person)
    account_links.queue_link_mails(result.sent, account_links.INVITATION)
    if result.sent:
        audit.record(
            agency.id,
            actor.id,
            "invitations.resend",
            counted(len(result.sent), "person", "people"),
            sent_to=[person.email for person in result.sent],
            skipped_recent=[person.email for person in result.recent],
            skipped_not_needed=[person.email for person in result.not_needed],
        )
    return result


def resend_invitation(actor: User, person: User) -> bool:
    """Queue a fresh invitation for one person, audit-logged; False when they do not need one.

    Asked for on the person's own page, so no pause applies: the admin means this person, now."""
    if not person.active or person.password_hash is not None:
        return False
    account_links.queue_link_mails([person], account_links.INVITATION)
    audit.record(
        person.agency_id,
        actor.id,
        "invitations.resend",
        counted(1, "person", "people"),
        sent_to=[person.email],
        skipped_recent=[],
        skipped_not_needed=[],
    )
    return True
