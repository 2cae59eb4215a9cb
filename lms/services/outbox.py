"""The mail outbox: mails are written here in the same transaction as the action that
causes them, and sent by `flask mail send` (a timer, or a worker with --loop).

Every worker claims a mail with one conditional UPDATE before sending it, so two workers
never send the same mail; a worker that dies mid-send leaves its claim to expire, and the
mail is tried again (at least once, never lost). Failures wait longer each time; after
MAX_ATTEMPTS the mail is dead and shown to the agency's admins. Flushes; the caller commits.
"""

from __future__ import annotations

import json
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from lms.extensions import db
from lms.mail import Mail, SmtpSession
from lms.models import OutgoingMail, User, utcnow

QUEUED, SENDING, SENT, DEAD, CANCELLED = "queued", "sending", "sent", "dead", "cancelled"
MAX_ATTEMPTS = 8  # 1, 2, 4, … 64 minutes apart: about two hours of tries in all
FIRST_RETRY = timedelta(minutes=1)
# A claim older than this belongs to a worker that died while sending.
CLAIM_EXPIRES = timedelta(minutes=10)


def retry_delay(attempts: int) -> timedelta:
    return FIRST_RETRY * 2 ** max(attempts - 1, 0)


def _vault():
    return current_app.extensions["vault"]


def queue(mail: Mail, kind: str, agency_id: int | None, user_id: int | None = None) -> None:
    db.session.add(queued_mail(mail, kind, agency_id, user_id))
    db.session.flush()


def queued_mail(mail: Mail, kind: str, agency_id: int | None, user_id: int | None = None) -> OutgoingMail:
    """The outbox row for a mail, not added yet: a caller queueing thousands adds them and flushes once in a while."""
    body = _vault().encrypt(json.dumps({"text": mail.text, "html": mail.html}))
    return OutgoingMail(
        agency_id=agency_id,
        user_id=user_id,
        kind=kind,
        recipient=mail.to,
        subject=mail.subject,
        body_encrypted=body,
        status=QUEUED,
        next_attempt_at=utcnow(),
    )


def queue_links(users: list[User], purpose) -> int:
    """Queue each person's invitation or reset mail in one statement, however many there are.

    The link itself is made at sending time, so the table holds no usable link.
    """
    if not users:
        return 0
    now = utcnow()
    db.session.execute(
        sa.insert(OutgoingMail),
        [
            {
                "agency_id": user.agency_id,
                "user_id": user.id,
                "kind": purpose.name,
                "recipient": user.email,
                "subject": purpose.subject,
                "status": QUEUED,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for user in users
        ],
    )
    return len(users)


def claim(limit: int, now: datetime | None = None) -> list[int]:
    """Claim up to `limit` mails that are due; returns their ids (commit before sending them)."""
    return claim_due(OutgoingMail, limit, now or utcnow())


def claim_due(model, limit: int, now: datetime) -> list[int]:
    """Claim up to `limit` due rows of an outbox table (status, next_attempt_at, claimed_at).

    A claim older than CLAIM_EXPIRES belongs to a sender that died: its rows are queued again.
    Each row is taken by one conditional UPDATE, so two senders never take the same one."""
    db.session.execute(sa.update(model).where(model.status == SENDING, model.claimed_at < now - CLAIM_EXPIRES).values(status=QUEUED))
    due = db.session.scalars(
        sa.select(model.id)
        .where(model.status == QUEUED, model.next_attempt_at <= now)
        .order_by(model.next_attempt_at, model.id)
        .limit(limit)
    ).all()
    claimed = []
    for row_id in due:
        taken = db.session.execute(
            sa.update(model).where(model.id == row_id, model.status == QUEUED).values(status=SENDING, claimed_at=now)
        )
        if taken.rowcount == 1:  # another sender may have taken it in between
            claimed.append(row_id)
    db.session.flush()
    return claimed


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    cancelled: int = 0


def deliver(mail_id: int, session: SmtpSession, report: Delivery) -> bool:
    """Send one claimed mail and record what happened; False when the mail server cannot be reached."""
    row = db.session.get(OutgoingMail, mail_id)
    if row is None or row.status != SENDING:
        return True
    mail = _message(row)
    if mail is None:
        row.status, row.body_encrypted = CANCELLED, None
        report.cancelled += 1
        db.session.flush()
        return True
    now = utcnow()
    try:
        session.send(mail)
    except OSError as error:  # smtplib's errors are OSErrors too
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:1000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status, row.body_encrypted = DEAD, None
            report.dead += 1
        else:
            row.status, row.next_attempt_at = QUEUED, now + retry_delay(row.attempts)
        report.failed += 1
        current_app.logger.warning("mail %s to %s failed (try %d): %s", row.id, row.recipient, row.attempts, error)
        db.session.flush()
        return isinstance(error, (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused))
    row.status, row.sent_at, row.body_encrypted, row.last_error = SENT, now, None, None
    report.sent += 1
    db.session.flush()
    return True


def release(mail_ids: list[int]) -> None:
    """Give back claimed mails that were not tried (the server went away): due again at once."""
    if mail_ids:
        db.session.execute(
            sa.update(OutgoingMail).where(OutgoingMail.id.in_(mail_ids), OutgoingMail.status == SENDING).values(status=QUEUED)
        )


def _message(row: OutgoingMail) -> Mail | None:
    """The mail to send; None when it is no longer wanted (the person left, or set a password)."""
    if row.body_encrypted is not None:
        body = json.loads(_vault().decrypt(row.body_encrypted))
        return Mail(row.recipient, row.subject, body["text"], body["html"])
    from lms.services import account_links  # account links queue their mails here

    purpose = account_links.PURPOSES.get(row.kind)
    user = db.session.get(User, row.user_id) if row.user_id else None
    if purpose is None or user is None or not user.active:
        return None
    if purpose is account_links.INVITATION and user.password_hash is not None:
        return None
    return account_links.link_mail(user, purpose)


def readable(row: OutgoingMail) -> Mail | None:
    """The mail as it would go out now (a link mail gets a fresh link); None when its text is
    gone (sent or dead mail keeps none) or it is no longer wanted."""
    return _message(row)


def recent_mail(limit: int = 100) -> list[OutgoingMail]:
    """Every agency's mail, newest first (the development outbox page)."""
    return list(db.session.scalars(sa.select(OutgoingMail).order_by(OutgoingMail.created_at.desc(), OutgoingMail.id.desc()).limit(limit)))


def agency_mail(agency_id: int, limit: int = 200) -> list[OutgoingMail]:
    """The agency's mail, dead letters first, then the newest."""
    dead_first = sa.case((OutgoingMail.status == DEAD, 0), else_=1)
    return list(
        db.session.scalars(
            sa.select(OutgoingMail)
            .where(OutgoingMail.agency_id == agency_id)
            .order_by(dead_first, OutgoingMail.created_at.desc(), OutgoingMail.id.desc())
            .limit(limit)
        )
    )


def status_counts(agency_id: int | None = None) -> dict[str, int]:
    query = sa.select(OutgoingMail.status, sa.func.count()).group_by(OutgoingMail.status)
    if agency_id is not None:
        query = query.where(OutgoingMail.agency_id == agency_id)
    return dict(db.session.execute(query).all())
