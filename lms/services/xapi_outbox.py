"""The outbox of xAPI statements, emptied by `flask xapi send` like the mail outbox.

A sender claims statements with one conditional UPDATE each, so two senders never send the
same one; a claim older than CLAIM_EXPIRES belongs to a sender that died and is taken
again. Each agency's due statements go to its LRS in one request. When the LRS cannot be
reached they wait longer each time (1, 2, 4 … minutes); after MAX_ATTEMPTS they are dead
and shown to the agency's admins, who may put them back in the queue (`requeue_dead`). When the LRS refuses a batch, each statement is sent
alone, so one it will not take does not hold back the rest. A statement keeps its UUID, so
one sent twice (a sender that died after sending) is still one statement in the LRS.
Flushes; the caller commits.
"""

from __future__ import annotations

import json
from datetime import datetime
from itertools import groupby

import sqlalchemy as sa

from lms.extensions import db
from lms.lrs import LrsRefused, LrsUnreachable, send_statements
from lms.models import Agency, LrsConnection, User, XapiStatement, utcnow
from lms.services import audit
from lms.services.lrs_settings import is_configured, lrs_settings
from lms.services.outbox import CANCELLED, DEAD, MAX_ATTEMPTS, QUEUED, SENDING, SENT, Delivery, claim_due, retry_delay
from lms.vault import Vault


def claim(limit: int, now: datetime | None = None) -> list[int]:
    """Claim up to `limit` due statements; returns their ids (commit before sending them)."""
    return claim_due(XapiStatement, limit, now or utcnow())


def deliver(claimed: list[int], vault: Vault, report: Delivery, send=send_statements) -> None:
    """Send claimed statements, one request per agency, and record what happened to each."""
    if not claimed:
        return
    rows = db.session.scalars(
        sa.select(XapiStatement)
        .where(XapiStatement.id.in_(claimed), XapiStatement.status == SENDING)
        .order_by(XapiStatement.agency_id, XapiStatement.id)
    ).all()
    for agency_id, group in groupby(rows, key=lambda row: row.agency_id):
        group = list(group)
        connection = db.session.get(LrsConnection, agency_id)
        if not is_configured(connection):  # the agency removed its LRS since
            for row in group:
                row.status = CANCELLED
            report.cancelled += len(group)
            continue
        settings = lrs_settings(connection, vault)
        try:
            send(settings, [row.statement for row in group])
        except LrsUnreachable as error:
            for row in group:
                _failed(row, error, report)
            continue
        except LrsRefused:
            for row in group:
                _send_alone(row, settings, report, send)
            continue
        for row in group:
            _sent(row, report)
    db.session.flush()


def _send_alone(row: XapiStatement, settings, report: Delivery, send) -> None:
    try:
        send(settings, [row.statement])
    except (LrsUnreachable, LrsRefused) as error:
        _failed(row, error, report)
    else:
        _sent(row, report)


def _sent(row: XapiStatement, report: Delivery) -> None:
    row.status, row.sent_at, row.last_error = SENT, utcnow(), None
    report.sent += 1


def _failed(row: XapiStatement, error: Exception, report: Delivery) -> None:
    row.attempts += 1
    row.last_error = f"{type(error).__name__}: {error}"[:1000]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = DEAD
        report.dead += 1
    else:
        row.status, row.next_attempt_at = QUEUED, utcnow() + retry_delay(row.attempts)
    report.failed += 1


def status_counts(agency_id: int) -> dict[str, int]:
    return dict(
        db.session.execute(
            sa.select(XapiStatement.status, sa.func.count()).where(XapiStatement.agency_id == agency_id).group_by(XapiStatement.status)
        ).all()
    )


def last_error(agency_id: int, status: str | None = None) -> str | None:
    """Why the agency's latest failed statement (of that status) failed, to show its admins.

    Only what the sender saw (an HTTP status, a network error) is kept: never the statement."""
    query = sa.select(XapiStatement.last_error).where(XapiStatement.agency_id == agency_id, XapiStatement.last_error.is_not(None))
    if status is not None:
        query = query.where(XapiStatement.status == status)
    return db.session.scalar(query.order_by(XapiStatement.id.desc()).limit(1))


def requeue_dead(agency: Agency, actor: User | None) -> int:
    """Put the agency's dead statements back in the queue, due now with their tries reset; how many.

    They keep their UUIDs, so one the LRS stored after all is still stored once."""
    requeued = db.session.execute(
        sa.update(XapiStatement)
        .where(XapiStatement.agency_id == agency.id, XapiStatement.status == DEAD)
        .values(status=QUEUED, attempts=0, next_attempt_at=utcnow(), claimed_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if requeued:
        audit.record(agency.id, actor.id if actor else None, "lrs.requeue", agency.name, statements=requeued)
    db.session.flush()
    return requeued


def export_lines(agency_id: int, batch: int = 500):
    """Every statement made for the agency, oldest first, as JSON lines (one statement a line)."""
    after = 0
    while True:
        rows = db.session.execute(
            sa.select(XapiStatement.id, XapiStatement.statement)
            .where(XapiStatement.agency_id == agency_id, XapiStatement.id > after)
            .order_by(XapiStatement.id)
            .limit(batch)
        ).all()
        for row in rows:
            yield json.dumps(row.statement, sort_keys=True, ensure_ascii=False) + "\n"
        if len(rows) < batch:
            return
        after = rows[-1].id
