"""Required training: which courses a person must take, by when, and where they stand.

Rules target one person, a team or a role, so a rule made today also covers people who
join later. Everything here is computed from plain values; nothing is stored per person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

YEAR = timedelta(days=365)

NOT_STARTED = "not-started"
IN_PROGRESS = "in-progress"
COMPLETE = "complete"
OVERDUE = "overdue"
STATES = (NOT_STARTED, IN_PROGRESS, COMPLETE, OVERDUE)
STATE_LABELS = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", COMPLETE: "Complete", OVERDUE: "Overdue"}


@dataclass(frozen=True)
class Rule:
    id: int
    course_slug: str
    user_id: int | None = None
    team_id: int | None = None
    role: str | None = None
    due_on: date | None = None
    due_days_after_joining: int | None = None
    renew_yearly: bool = False
    renew_days_before: int = 30


@dataclass(frozen=True)
class Person:
    id: int
    team_id: int | None
    roles: frozenset[str]
    joined_on: date


@dataclass(frozen=True)
class Requirement:
    course_slug: str
    due_on: date | None
    renew_yearly: bool
    renew_days_before: int
    rule_ids: tuple[int, ...] = field(default=())


def applies_to(rule: Rule, person: Person) -> bool:
    if rule.user_id is not None:
        return rule.user_id == person.id
    if rule.team_id is not None:
        return rule.team_id == person.team_id
    return rule.role in person.roles


def first_due(rule: Rule, person: Person) -> date | None:
    if rule.due_on is not None:
        return rule.due_on
    if rule.due_days_after_joining is not None:
        return person.joined_on + timedelta(days=rule.due_days_after_joining)
    return None


def requirements_for(person: Person, rules) -> dict[str, Requirement]:
    """The courses this person must take; several rules for one course: the earliest date wins."""
    found: dict[str, Requirement] = {}
    for rule in rules:
        if not applies_to(rule, person):
            continue
        due = first_due(rule, person)
        earlier = found.get(rule.course_slug)
        if earlier is not None:
            due = min((d for d in (due, earlier.due_on) if d is not None), default=None)
        found[rule.course_slug] = Requirement(
            course_slug=rule.course_slug,
            due_on=due,
            renew_yearly=rule.renew_yearly or (earlier.renew_yearly if earlier else False),
            renew_days_before=min(rule.renew_days_before, earlier.renew_days_before) if earlier else rule.renew_days_before,
            rule_ids=(earlier.rule_ids if earlier else ()) + (rule.id,),
        )
    return found


@dataclass(frozen=True)
class Standing:
    state: str
    due_on: date | None  # the date that counts now (the renewal date once a renewal opens)
    completed_on: date | None
    renewal_open: bool = False

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def standing(requirement: Requirement | None, completed_on: date | None, started: bool, today: date) -> Standing:
    """Where a person stands on a course, required or not."""
    due = requirement.due_on if requirement else None
    if completed_on is not None:
        if requirement and requirement.renew_yearly:
            renew_due = completed_on + YEAR
            if today >= renew_due - timedelta(days=requirement.renew_days_before):
                state = OVERDUE if today > renew_due else NOT_STARTED
                return Standing(state, renew_due, completed_on, renewal_open=True)
        return Standing(COMPLETE, due, completed_on)
    if due is not None and today > due:
        return Standing(OVERDUE, due, None)
    return Standing(IN_PROGRESS if started else NOT_STARTED, due, None)


def due_soon(standing_: Standing, today: date, within_days: int) -> bool:
    return (
        standing_.state in (NOT_STARTED, IN_PROGRESS)
        and standing_.due_on is not None
        and today <= standing_.due_on <= today + timedelta(days=within_days)
    )
