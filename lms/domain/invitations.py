"""Where a person's invitation stands, from the last invitation mail queued for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

NOT_SENT, WAITING, SENT, EXPIRED, FAILED = "not-sent", "waiting", "sent", "expired", "failed"
# Worth sending again without a second thought: the person has no working link.
NEEDS_RESENDING = frozenset({NOT_SENT, EXPIRED, FAILED})


@dataclass(frozen=True)
class LastInvitation:
    status: str  # the outbox's: queued, sending, sent, dead, cancelled
    queued_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class InvitationState:
    state: str
    since: datetime | None = None  # queued or sent at
    link_expires_at: datetime | None = None  # for a sent invitation

    @property
    def needs_resending(self) -> bool:
        return self.state in NEEDS_RESENDING


def invitation_state(last: LastInvitation | None, now: datetime, valid_for: timedelta) -> InvitationState:
    if last is None or last.status == "cancelled":
        return InvitationState(NOT_SENT)
    if last.status in ("queued", "sending"):
        return InvitationState(WAITING, last.queued_at)
    if last.status == "dead":
        return InvitationState(FAILED, last.queued_at)
    sent_at = last.sent_at or last.queued_at
    expires_at = sent_at + valid_for
    return InvitationState(EXPIRED if now >= expires_at else SENT, sent_at, expires_at)


def recently_queued(last: LastInvitation | None, now: datetime, pause: timedelta) -> bool:
    """An invitation queued this recently is not sent again (a double click, a repeated form)."""
    return last is not None and last.status != "cancelled" and now - last.queued_at < pause
