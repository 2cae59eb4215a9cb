"""Reminder mail: which learners to remind about which courses, and which supervisors get
this week's digest of their teams' overdue training.

Plain values in, plain values out; the service does the queries and the sending. Each
course mentioned for the first time is remembered by (person, kind, key), so a daily run
never says the same thing twice: "due soon" once, "overdue" once, one digest a week.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from lms.domain.assignments import OVERDUE, Person, Rule, due_soon, requirements_for, standing

DUE_SOON = "due-soon"
# OVERDUE ("overdue") is both a course state and a reminder kind.
DIGEST = "digest"
EXPIRING = "expiring"  # a certificate that expires soon
KINDS = (DUE_SOON, OVERDUE, DIGEST, EXPIRING)


@dataclass(frozen=True)
class Learner:
    person: Person
    name: str
    email: str
    team_name: str | None = None


@dataclass(frozen=True)
class Supervisor:
    id: int
    name: str
    email: str
    team_ids: frozenset[int]
    digest_opt_out: bool = False


@dataclass(frozen=True)
class DueCourse:
    kind: str  # DUE_SOON or OVERDUE
    course_slug: str
    course_title: str
    due_on: date

    @property
    def key(self) -> str:
        """What the reminder was about: the course and the date it counts for.

        A new due date (a yearly renewal, a changed rule) is a new key, so it is mentioned again."""
        return f"{self.course_slug}:{self.due_on.isoformat()}"


@dataclass(frozen=True)
class LearnerReminder:
    user_id: int
    name: str
    email: str
    courses: tuple[DueCourse, ...]  # everything due soon or overdue, to list in the mail
    new: tuple[DueCourse, ...]  # the ones never mentioned before: they are why the mail goes out

    @property
    def overdue(self) -> tuple[DueCourse, ...]:
        return tuple(c for c in self.courses if c.kind == OVERDUE)

    @property
    def due_soon(self) -> tuple[DueCourse, ...]:
        return tuple(c for c in self.courses if c.kind == DUE_SOON)

    @property
    def records(self) -> tuple[tuple[str, str], ...]:
        return tuple((c.kind, c.key) for c in self.new)

    @property
    def subject(self) -> str:
        if len(self.courses) == 1:
            course = self.courses[0]
            state = "is past due" if course.kind == OVERDUE else "is due soon"
            return f"Reminder: {course.course_title} {state}"
        if self.overdue:
            return f"Reminder: you have {len(self.courses)} courses to finish, and some are past due"
        return f"Reminder: you have {len(self.courses)} courses due soon"


@dataclass(frozen=True)
class OverdueItem:
    user_id: int
    person_name: str
    team_name: str | None
    course_title: str
    due_on: date


@dataclass(frozen=True)
class Digest:
    user_id: int
    name: str
    email: str
    week: str
    items: tuple[OverdueItem, ...]

    @property
    def records(self) -> tuple[tuple[str, str], ...]:
        return ((DIGEST, self.week),)

    @property
    def subject(self) -> str:
        count = len(self.items)
        return f"Weekly update: {count} overdue course{'' if count == 1 else 's'} on your teams"


@dataclass(frozen=True)
class Plan:
    reminders: tuple[LearnerReminder, ...]
    digests: tuple[Digest, ...]


def week_key(today: date) -> str:
    """The ISO week, e.g. '2030-W09': one digest per supervisor per week."""
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def due_courses(
    person: Person,
    rules: Iterable[Rule],
    completions: Mapping[tuple[int, str], date],
    titles: Mapping[str, str],
    today: date,
    within_days: int,
) -> list[DueCourse]:
    """The person's required courses that are overdue or due within `within_days` days.

    Completed courses (until a yearly renewal opens) and courses without a due date are
    left out; so are courses no longer in the catalog, which no one could open.
    """
    found = []
    for slug, requirement in requirements_for(person, rules).items():
        title = titles.get(slug)
        if title is None:
            continue
        # Started or not makes no difference to a reminder: both count as due soon.
        status = standing(requirement, completions.get((person.id, slug)), False, today)
        if status.state == OVERDUE:
            found.append(DueCourse(OVERDUE, slug, title, status.due_on))
        elif due_soon(status, today, within_days):
            found.append(DueCourse(DUE_SOON, slug, title, status.due_on))
    found.sort(key=lambda c: (c.kind != OVERDUE, c.due_on, c.course_title))
    return found


def plan(
    learners: Iterable[Learner],
    supervisors: Iterable[Supervisor],
    rules: Iterable[Rule],
    completions: Mapping[tuple[int, str], date],
    titles: Mapping[str, str],
    sent: set[tuple[int, str, str]],
    today: date,
    within_days: int,
) -> Plan:
    """What one agency's run should send: learner_reminders for all its learners, then digests.

    learners: the agency's active people; supervisors: its active supervisors with the ids
    of their own active teams; sent: (user id, kind, key) of every reminder already sent.
    """
    found, overdue = learner_reminders(learners, list(rules), completions, titles, sent, today, within_days)
    return Plan(tuple(found), tuple(digests(supervisors, overdue, sent, today)))


def learner_reminders(
    learners: Iterable[Learner],
    rules: list[Rule],
    completions: Mapping[tuple[int, str], date],
    titles: Mapping[str, str],
    sent: set[tuple[int, str, str]],
    today: date,
    within_days: int,
) -> tuple[list[LearnerReminder], list[tuple[int, OverdueItem]]]:
    """The reminders for these learners, and (team id, item) for each of their overdue courses
    for the digests. Learners may come a batch at a time: each is planned on their own.

    A learner is mailed when at least one course is new to remind about; the mail lists all
    their due-soon and overdue courses.
    """
    found, overdue = [], []
    for learner in learners:
        courses = due_courses(learner.person, rules, completions, titles, today, within_days)
        new = tuple(c for c in courses if (learner.person.id, c.kind, c.key) not in sent)
        if new:
            found.append(LearnerReminder(learner.person.id, learner.name, learner.email, tuple(courses), new))
        if learner.person.team_id is not None:
            overdue += [
                (
                    learner.person.team_id,
                    OverdueItem(learner.person.id, learner.name, learner.team_name, course.course_title, course.due_on),
                )
                for course in courses
                if course.kind == OVERDUE
            ]
    return found, overdue


def digests(
    supervisors: Iterable[Supervisor],
    overdue: Iterable[tuple[int, OverdueItem]],
    sent: set[tuple[int, str, str]],
    today: date,
) -> list[Digest]:
    """This week's digests. overdue: (team id, item) from learner_reminders. A supervisor is
    mailed once a week, only when someone on their teams is overdue, and only when they have
    not turned the digest off."""
    overdue_by_team: dict[int, list[OverdueItem]] = {}
    for team_id, item in overdue:
        overdue_by_team.setdefault(team_id, []).append(item)
    week = week_key(today)
    found = []
    for supervisor in supervisors:
        if supervisor.digest_opt_out or (supervisor.id, DIGEST, week) in sent:
            continue
        items = [item for team_id in supervisor.team_ids for item in overdue_by_team.get(team_id, ())]
        if items:
            items.sort(key=lambda i: ((i.team_name or "").lower(), i.person_name.lower(), i.due_on, i.course_title))
            found.append(Digest(supervisor.id, supervisor.name, supervisor.email, week, tuple(items)))
    return found


@dataclass(frozen=True)
class ExpiringCertificate:
    user_id: int
    name: str
    email: str
    course_slug: str
    course_title: str
    code: str
    expires_on: date

    @property
    def key(self) -> str:
        return f"{self.code}:{self.expires_on.isoformat()}"

    @property
    def records(self) -> tuple[tuple[str, str], ...]:
        return ((EXPIRING, self.key),)

    @property
    def subject(self) -> str:
        return f"Your certificate for {self.course_title} expires on {self.expires_on:%B} {self.expires_on.day}"


def expiry_notices(
    certificates: Iterable[ExpiringCertificate], sent: set[tuple[int, str, str]], today: date, within_days: int
) -> list[ExpiringCertificate]:
    """Certificates expiring within `within_days` days, each mentioned once."""
    return sorted(
        (c for c in certificates if 0 <= (c.expires_on - today).days <= within_days and (c.user_id, EXPIRING, c.key) not in sent),
        key=lambda c: (c.expires_on, c.course_title),
    )
