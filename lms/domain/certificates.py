"""Certificates: verification codes, what a certificate may claim, and CE transcripts."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARACTERS = 16  # 16 x 5 bits = 80 bits of randomness
GROUP = 4
LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})

ESTIMATED_HOURS_LABEL = "estimated contact hours"
APPROVED_HOURS_LABEL = "contact hours"


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_CHARACTERS))
    return "-".join(raw[i : i + GROUP] for i in range(0, CODE_CHARACTERS, GROUP))


def normalize_code(text: str) -> str | None:
    """The canonical form of a code as typed (any case, spaces, dashes, O for 0), or None."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum()).translate(LOOKALIKES)
    if len(raw) != CODE_CHARACTERS or any(ch not in ALPHABET for ch in raw):
        return None
    return "-".join(raw[i : i + GROUP] for i in range(0, CODE_CHARACTERS, GROUP))


@dataclass(frozen=True)
class Accreditation:
    provider: str
    approval_number: str
    approving_body: str

    def as_dict(self) -> dict:
        return {"provider": self.provider, "approval_number": self.approval_number, "approving_body": self.approving_body}


def accreditation_for(course_level: Accreditation | None, agency_level: Accreditation | None) -> Accreditation | None:
    """A certificate claims an approval only when an admin configured one: course first, then agency."""
    for candidate in (course_level, agency_level):
        if candidate and all(value.strip() for value in (candidate.provider, candidate.approval_number, candidate.approving_body)):
            return candidate
    return None


def hours_label(accreditation: dict | None) -> str:
    return APPROVED_HOURS_LABEL if accreditation else ESTIMATED_HOURS_LABEL


def approval_statement(accreditation: dict | None) -> str | None:
    if not accreditation:
        return None
    return (
        f"{accreditation['provider']} is approved by {accreditation['approving_body']} to offer continuing "
        f"education. Approval number: {accreditation['approval_number']}."
    )


@dataclass(frozen=True)
class TranscriptRow:
    completed_on: date
    course_title: str
    ce_hours: float
    code: str


@dataclass(frozen=True)
class Transcript:
    rows: tuple[TranscriptRow, ...]
    hours_by_year: tuple[tuple[int, float], ...]
    total_hours: float


def transcript(rows) -> Transcript:
    """All completions, newest first, with hours per calendar year and in total."""
    ordered = tuple(sorted(rows, key=lambda r: (r.completed_on, r.course_title), reverse=True))
    by_year: dict[int, float] = defaultdict(float)
    for row in ordered:
        by_year[row.completed_on.year] += row.ce_hours
    return Transcript(
        rows=ordered,
        hours_by_year=tuple(sorted(((year, round(hours, 2)) for year, hours in by_year.items()), reverse=True)),
        total_hours=round(sum(r.ce_hours for r in ordered), 2),
    )
