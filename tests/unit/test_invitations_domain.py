"""Where an invitation stands, from the last invitation mail queued for the person."""

from datetime import datetime, timedelta, timezone

from lms.domain.invitations import (
    EXPIRED,
    FAILED,
    NOT_SENT,
    SENT,
    WAITING,
    LastInvitation,
    invitation_state,
    recently_queued,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
WEEK = timedelta(days=7)


def sent(days_ago, status="sent"):
    moment = NOW - timedelta(days=days_ago)
    return LastInvitation(status, moment, moment if status == "sent" else None)


def test_states():
    assert invitation_state(None, NOW, WEEK).state == NOT_SENT
    assert invitation_state(sent(0, "cancelled"), NOW, WEEK).state == NOT_SENT
    assert invitation_state(sent(0, "queued"), NOW, WEEK).state == WAITING
    assert invitation_state(sent(1, "dead"), NOW, WEEK).state == FAILED
    fresh = invitation_state(sent(6), NOW, WEEK)
    assert fresh.state == SENT and fresh.link_expires_at == NOW + timedelta(days=1) and not fresh.needs_resending
    assert invitation_state(sent(7), NOW, WEEK).state == EXPIRED  # the link stopped working on the dot
    assert all(invitation_state(last, NOW, WEEK).needs_resending for last in (None, sent(8), sent(1, "dead")))


def test_a_double_click_is_recent_a_yesterdays_invitation_is_not():
    pause = timedelta(minutes=10)
    just_now = LastInvitation("queued", NOW - timedelta(minutes=1), None)
    assert recently_queued(just_now, NOW, pause)
    assert not recently_queued(sent(1), NOW, pause)
    assert not recently_queued(None, NOW, pause)
