"""Learners' data rights: what erasure leaves behind, and when retention deletes things.

Pure functions: the services decide from these, and the tests check them without an app.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

KEEP, WITHDRAW = "keep", "withdraw"
CERTIFICATE_RETENTION = (KEEP, WITHDRAW)
WITHDRAWN_REASON = "Removed at the holder's request."
ERASED_EMAIL_DOMAIN = "erased.invalid"  # .invalid never resolves: no mail can reach it


def erased_email(opaque_id: str) -> str:
    return f"{opaque_id}@{ERASED_EMAIL_DOMAIN}"


def names_match(typed: str, name: str) -> bool:
    """The confirmation an admin types: the person's name, case and spacing aside."""
    return " ".join((typed or "").split()).casefold() == " ".join((name or "").split()).casefold() != ""


def scrubbed(value, words: list[str], replacement: str):
    """A JSON-like value with every occurrence of the words (a name, an email) replaced,
    in keys and values alike, case aside. Words match whole, so "Al" leaves "Alice" alone."""
    words = [word for word in words if word]
    if not words:
        return value
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(word)}(?!\w)" for word in sorted(words, key=len, reverse=True)), re.IGNORECASE)

    def scrub(item):
        if isinstance(item, str):
            return pattern.sub(replacement, item)
        if isinstance(item, dict):
            return {scrub(key): scrub(inner) for key, inner in item.items()}
        if isinstance(item, list):
            return [scrub(inner) for inner in item]
        return item

    return scrub(value)


def certificate_kept_until(completed_on: date, years: int) -> date:
    """The last day a kept certificate of an erased person stays verifiable (29 February: the 28th)."""
    year = completed_on.year + years
    try:
        return completed_on.replace(year=year)
    except ValueError:
        return completed_on.replace(year=year, day=28)


def keeps_certificate(mode: str, completed_on: date, years: int, today: date) -> bool:
    """Whether an erased person's certificate keeps its facts for verification today."""
    return mode == KEEP and today <= certificate_kept_until(completed_on, years)


def writing_deleted_before(now: datetime, days: int) -> datetime:
    """People deactivated before this moment lose their private writing to the retention job."""
    return now - timedelta(days=days)
