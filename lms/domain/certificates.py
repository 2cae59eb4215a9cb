"""Certificates: verification codes, what a certificate may claim, its status, CE
transcripts, and the names and cells of an audit export."""

from __future__ import annotations

import calendar
import hashlib
import re
import secrets
import unicodedata
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

CONTINUING_EDUCATION = "Certificate of Continuing Education"
COMPLETION = "Certificate of Completion"
DELIVERY_FORMAT = "Self-paced online course"

VALID, EXPIRED, REVOKED, REPLACED = "valid", "expired", "revoked", "replaced"


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
    contact: str = ""

    def as_dict(self) -> dict:
        return {
            "provider": self.provider,
            "approval_number": self.approval_number,
            "approving_body": self.approving_body,
            "contact": self.contact,
        }


def accreditation_for(course_level: Accreditation | None, agency_level: Accreditation | None) -> Accreditation | None:
    """A certificate claims an approval only when an admin configured one: course first, then agency."""
    for candidate in (course_level, agency_level):
        if candidate and all(value.strip() for value in (candidate.provider, candidate.approval_number, candidate.approving_body)):
            return candidate
    return None


def hours_label(accreditation: dict | None, hours: float | None = None) -> str:
    """'contact hours' under an approval, 'estimated contact hours' without; singular for exactly 1."""
    label = APPROVED_HOURS_LABEL if accreditation else ESTIMATED_HOURS_LABEL
    return label[:-1] if hours is not None and float(hours) == 1 else label


def hours_phrase(hours: float, accreditation: dict | None = None) -> str:
    """'1 estimated contact hour', '0.5 contact hours'."""
    return f"{float(hours):g} {hours_label(accreditation, hours)}"


def plain_hours(hours: float) -> str:
    """'1 hour', '2.5 hours'."""
    return f"{float(hours):g} hour{'' if float(hours) == 1 else 's'}"


def certificate_title(accreditation: dict | None) -> str:
    return CONTINUING_EDUCATION if accreditation else COMPLETION


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the last day of the month when that month is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_for(completed_on: date, valid_for_months: int | None) -> date | None:
    return add_months(completed_on, valid_for_months) if valid_for_months else None


def status_of(*, revoked: bool, replaced: bool, expires_on: date | None, today: date) -> str:
    """What a certificate is worth today. It expires at the end of its expiry day."""
    if replaced:
        return REPLACED
    if revoked:
        return REVOKED
    if expires_on is not None and today > expires_on:
        return EXPIRED
    return VALID


def identity_hash(identity: str, salt: str) -> str:
    """Open Badges 3.0 IdentityObject.identityHash: 'sha256$' + hex SHA-256 of identity + salt."""
    return "sha256$" + hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()


def new_salt() -> str:
    return secrets.token_hex(16)


def licence_line(licence: dict) -> str:
    """'CPS 12345, Pennsylvania Certification Board (expires March 1, 2027)'."""
    line = f"{licence['kind']} {licence['number']}, {licence['issuer']}"
    if licence.get("expires_on"):
        day = date.fromisoformat(licence["expires_on"])
        line += f" (expires {day:%B} {day.day}, {day.year})"
    return line


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
    expires_on: date | None = None
    status: str = VALID


@dataclass(frozen=True)
class Transcript:
    rows: tuple[TranscriptRow, ...]
    hours_by_year: tuple[tuple[int, float], ...]
    total_hours: float


def transcript(rows) -> Transcript:
    """Every certificate, newest first; hours per calendar year and in total count only the
    ones valid today (an expired certificate is listed, but its hours no longer count)."""
    ordered = tuple(sorted(rows, key=lambda r: (r.completed_on, r.course_title), reverse=True))
    counted = [row for row in ordered if row.status == VALID]
    by_year: dict[int, float] = defaultdict(float)
    for row in counted:
        by_year[row.completed_on.year] += row.ce_hours
    return Transcript(
        rows=ordered,
        hours_by_year=tuple(sorted(((year, round(hours, 2)) for year, hours in by_year.items()), reverse=True)),
        total_hours=round(sum(r.ce_hours for r in counted), 2),
    )


def _file_part(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-") or "unnamed"


def export_file_name(learner_name: str, course_slug: str, completed_on: date) -> str:
    """'Rivera_Jordan_self-care_2026-03-01.pdf': last name first, safe in any file system."""
    words = learner_name.split()
    last, first = (words[-1], " ".join(words[:-1])) if len(words) > 1 else (learner_name, "")
    parts = [_file_part(last)] + ([_file_part(first)] if first else [])
    return "_".join(parts + [_file_part(course_slug), completed_on.isoformat()]) + ".pdf"


def unique_names(names):
    """The same names, with ' (2)'-style suffixes where two would clash in one ZIP."""
    seen: dict[str, int] = {}
    for name in names:
        count = seen.get(name.lower(), 0) + 1
        seen[name.lower()] = count
        stem, dot, extension = name.rpartition(".")
        yield name if count == 1 else f"{stem}_{count}{dot}{extension}"
