"""Certification renewal: which CE hours count toward a board's requirement in a renewal
period, what is met, what is missing, and when a learner (or supervisor) is told.

Plain values in, plain values out; lms.services.renewal does the queries.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from lms.domain.certificates import VALID, add_months

# How a CE activity was delivered. A template names the ones whose hours count.
SELF_PACED_ONLINE, LIVE_ONLINE, IN_PERSON = "self-paced-online", "live-online", "in-person"
DELIVERY_FORMATS = {
    SELF_PACED_ONLINE: "Self-paced online course",
    LIVE_ONLINE: "Live online session",
    IN_PERSON: "In-person training",
}

# Where an hour came from: a certificate we issued, or a learner's entry for training elsewhere.
OURS, EXTERNAL = "ours", "external"
PENDING, VERIFIED, REJECTED = "pending", "verified", "rejected"

# An in-person training's attendance certificates name it by this slug, never a course's.
TRAINING_SLUG = re.compile(r"^training-([1-9][0-9]{0,17})$")

CATEGORY_NAME = re.compile(r"^[a-z]+(-[a-z]+)*$")
REMINDER_DAYS = (90, 30)  # a reminder when a period ends within each of these, and hours are short
AT_RISK_DAYS = 90


def training_slug(training_id: int) -> str:
    return f"training-{training_id}"


def training_id_in(slug: str) -> int | None:
    """The training an attendance certificate's slug names, or None for a course's slug."""
    match = TRAINING_SLUG.match(slug)
    return int(match.group(1)) if match else None


def category_problem(name) -> str | None:
    """Why a category name is not allowed, or None. Lowercase words joined by hyphens."""
    if not isinstance(name, str) or not CATEGORY_NAME.match(name) or len(name) > 60:
        return f"category '{name}' must be lowercase words joined by hyphens, such as cultural-responsiveness"
    return None


def categories_line(categories: Mapping[str, float] | None) -> str:
    """'ethics 1 hour, suicide-prevention 0.5 hours', or '' when there are none."""
    return ", ".join(
        f"{name} {float(hours):g} hour{'' if float(hours) == 1 else 's'}" for name, hours in sorted((categories or {}).items())
    )


def categories_problem(categories, hours: float) -> str | None:
    """Why a {category: hours} mapping does not fit an activity of `hours` hours, or None."""
    if not isinstance(categories, Mapping):
        return "categories must map each category to its hours, such as {ethics: 1.0}"
    for name, value in categories.items():
        problem = category_problem(name)
        if problem:
            return problem
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            return f"category '{name}' needs a number of hours above 0"
    if round(sum(float(v) for v in categories.values()), 2) > round(float(hours), 2):
        return f"the categories add up to more than the {float(hours):g} hours"
    return None


@dataclass(frozen=True)
class Requirement:
    name: str
    period_months: int
    total_hours: float
    category_minimums: Mapping[str, float] = field(default_factory=dict)
    delivery_formats: frozenset[str] = frozenset(DELIVERY_FORMATS)
    outside_hours_count: bool = True
    outside_hours_need_verification: bool = True


@dataclass(frozen=True)
class Period:
    starts_on: date
    ends_on: date

    def holds(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def period_ending(ends_on: date, months: int) -> Period:
    """The renewal period that ends on `ends_on` (inclusive) and lasts `months` months."""
    return Period(add_months(ends_on, -months) + timedelta(days=1), ends_on)


@dataclass(frozen=True)
class Entry:
    """One activity that may count: a certificate of ours or an external entry."""

    source: str  # OURS or EXTERNAL
    title: str
    earned_on: date
    hours: float
    categories: Mapping[str, float]
    delivery_format: str
    status: str  # ours: valid/expired/revoked/replaced; external: pending/verified/rejected
    reference: str = ""  # our verification code, or the external provider
    reviewer_name: str | None = None
    reviewed_on: date | None = None
    entry_id: int | None = None


def counts(entry: Entry, requirement: Requirement, period: Period) -> bool:
    """Whether an entry's hours count toward this requirement in this period."""
    if not period.holds(entry.earned_on) or entry.delivery_format not in requirement.delivery_formats:
        return False
    if entry.source == OURS:
        return entry.status == VALID  # expired, revoked and replaced certificates do not count
    if not requirement.outside_hours_count or entry.status == REJECTED:
        return False
    return entry.status == VERIFIED or not requirement.outside_hours_need_verification


def not_counted_reason(entry: Entry, requirement: Requirement) -> str:
    """Why an entry inside the period does not count, in a few plain words."""
    if entry.delivery_format not in requirement.delivery_formats:
        return "this kind of training does not count for this requirement"
    if entry.source == OURS:
        return f"the certificate is {entry.status}"
    if not requirement.outside_hours_count:
        return "outside hours do not count for this requirement"
    return "not accepted" if entry.status == REJECTED else "waiting for review"


@dataclass(frozen=True)
class CategoryProgress:
    name: str
    earned: float
    minimum: float

    @property
    def met(self) -> bool:
        return self.earned >= self.minimum

    @property
    def missing(self) -> float:
        return max(0.0, round(self.minimum - self.earned, 2))


@dataclass(frozen=True)
class Progress:
    requirement: Requirement
    period: Period
    counted: tuple[Entry, ...]
    not_counted: tuple[Entry, ...]
    hours: float
    categories: tuple[CategoryProgress, ...]
    days_left: int

    @property
    def hours_missing(self) -> float:
        return max(0.0, round(self.requirement.total_hours - self.hours, 2))

    @property
    def missing_categories(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.categories if not c.met)

    @property
    def met(self) -> bool:
        return self.hours_missing == 0 and not self.missing_categories

    @property
    def hours_by_category(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for entry in self.counted:
            for name, hours in entry.categories.items():
                totals[name] = round(totals.get(name, 0.0) + float(hours), 2)
        return dict(sorted(totals.items()))


def progress(requirement: Requirement, period: Period, entries: Iterable[Entry], today: date) -> Progress:
    """Hours and category hours counted in the period, and the days left in it (0 once past)."""
    ordered = sorted(entries, key=lambda e: (e.earned_on, e.title))
    counted = tuple(e for e in ordered if counts(e, requirement, period))
    not_counted = tuple(e for e in ordered if period.holds(e.earned_on) and e not in counted)
    by_category: dict[str, float] = {}
    for entry in counted:
        for name, hours in entry.categories.items():
            by_category[name] = by_category.get(name, 0.0) + float(hours)
    categories = tuple(
        CategoryProgress(name, round(by_category.get(name, 0.0), 2), float(minimum))
        for name, minimum in sorted(requirement.category_minimums.items())
    )
    return Progress(
        requirement=requirement,
        period=period,
        counted=counted,
        not_counted=not_counted,
        hours=round(sum(float(e.hours) for e in counted), 2),
        categories=categories,
        days_left=max(0, (period.ends_on - today).days),
    )


def at_risk(found: Progress, today: date, within_days: int = AT_RISK_DAYS) -> bool:
    """The period ends within `within_days` days (and has not ended) and hours are short."""
    return 0 <= (found.period.ends_on - today).days <= within_days and not found.met


def courses_for_gap(found: Progress, courses: Iterable) -> list:
    """Catalog courses that carry a category still short, most useful first.

    courses: objects with .slug, .title and .ce_categories."""
    missing = set(found.missing_categories)
    helpful = [course for course in courses if missing & set(course.ce_categories)]
    return sorted(helpful, key=lambda c: (-sum(c.ce_categories.get(name, 0) for name in missing), c.title))


RENEWAL = "renewal"  # the reminder kind


@dataclass(frozen=True)
class RenewalNotice:
    user_id: int
    certification_id: int
    certification_name: str
    within_days: int  # 90 or 30
    found: Progress

    @property
    def key(self) -> str:
        """One notice per certification, period and threshold."""
        return f"{self.certification_id}:{self.found.period.ends_on.isoformat()}:{self.within_days}"

    @property
    def records(self) -> tuple[tuple[str, str], ...]:
        return ((RENEWAL, self.key),)


def renewal_notices(certifications: Iterable[tuple[int, int, str, Progress]], sent: set, today: date) -> list[RenewalNotice]:
    """For (user id, certification id, name, progress): a notice when the period ends within
    90 (then 30) days and hours are short, once per threshold. The tightest threshold
    reached wins, so a first run 20 days before sends one notice, not two."""
    notices = []
    for user_id, certification_id, name, found in certifications:
        days = (found.period.ends_on - today).days
        if days < 0 or found.met:
            continue
        reached = min((limit for limit in REMINDER_DAYS if days <= limit), default=None)
        if reached is None:
            continue
        notice = RenewalNotice(user_id, certification_id, name, reached, found)
        if (user_id, RENEWAL, notice.key) not in sent:
            notices.append(notice)
    return notices


# Attachments: what a file's first bytes say it is, whatever its name claims.
MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024
MAGIC = ((b"%PDF-", "application/pdf", "pdf"), (b"\x89PNG\r\n\x1a\n", "image/png", "png"), (b"\xff\xd8\xff", "image/jpeg", "jpg"))


def attachment_type(data: bytes) -> tuple[str, str] | None:
    """(mimetype, extension) of a PDF, PNG or JPEG file by its magic bytes, else None."""
    for magic, mimetype, extension in MAGIC:
        if data.startswith(magic):
            return mimetype, extension
    return None


def attachment_problem(data: bytes) -> str | None:
    if not data:
        return "Attach the certificate you were given (a PDF, PNG or JPEG file)."
    if len(data) > MAX_ATTACHMENT_BYTES:
        return f"The file is too large. Attach a file under {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB."
    if attachment_type(data) is None:
        return "The file is not a PDF, PNG or JPEG. Attach the certificate as one of those."
    return None


def report_file_name(learner_name: str, requirement_name: str, ends_on: date, extension: str) -> str:
    """'renewal_Jordan-Rivera_Demo-State-Board_2027-06-30.pdf': safe in any file system and header."""

    def part(text: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")[:60] or "unnamed"

    return f"renewal_{part(learner_name)}_{part(requirement_name)}_{ends_on.isoformat()}.{extension}"


def parse_categories(text: str) -> dict[str, float]:
    """'ethics: 1, suicide-prevention: 0.5' (commas or new lines) -> {ethics: 1.0, ...}.

    ValueError with a plain message when a part cannot be read."""
    found: dict[str, float] = {}
    for part in re.split(r"[,\n]", text or ""):
        part = part.strip()
        if not part:
            continue
        name, colon, number = part.partition(":")
        name = name.strip().lower().replace(" ", "-")
        try:
            hours = float(number) if colon else None
        except ValueError:
            hours = None
        if hours is None or not math.isfinite(hours) or hours <= 0:  # float() reads 'nan' and 'inf' too
            raise ValueError(f"Write each category as a name, a colon and hours, such as 'ethics: 1' (not '{part}').")
        problem = category_problem(name)
        if problem:
            raise ValueError(problem[0].upper() + problem[1:] + ".")
        found[name] = round(found.get(name, 0.0) + hours, 2)
    return found


def categories_text(categories: Mapping[str, float] | None) -> str:
    """The form text of a {category: hours} mapping, as parse_categories reads it."""
    return ", ".join(f"{name}: {float(hours):g}" for name, hours in sorted((categories or {}).items()))
