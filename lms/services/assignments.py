"""Assignment rules: making them, and reading where people stand against them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import sqlalchemy as sa

from lms.domain.assignments import Person, Requirement, Rule, requirements_for
from lms.domain.roles import ROLES
from lms.extensions import db
from lms.models import Assignment, CourseCompletion, Team, User
from lms.services import audit
from lms.services.agency_rows import agency_row
from lms.services.invalid_input import InvalidInput

MAX_DAYS = 3650
MAX_RENEWAL_NOTICE_DAYS = 180


def rule_of(row: Assignment) -> Rule:
    return Rule(
        id=row.id,
        course_slug=row.course_slug,
        user_id=row.user_id,
        team_id=row.team_id,
        role=row.role,
        due_on=row.due_on,
        due_days_after_joining=row.due_days_after_joining,
        renew_yearly=row.renew_yearly,
        renew_days_before=row.renew_days_before,
    )


def rules_of(agency_id: int) -> list[Rule]:
    return [rule_of(row) for row in db.session.scalars(sa.select(Assignment).where(Assignment.agency_id == agency_id))]


def person_of(user: User) -> Person:
    return Person(user.id, user.team_id, user.roles, user.joined_on)


def requirements_of(user: User) -> dict[str, Requirement]:
    return requirements_for(person_of(user), rules_of(user.agency_id))


def latest_completions(user_ids) -> dict[tuple[int, str], date]:
    """{(user id, course slug): date of the latest completion}, in one query.

    user_ids: a collection of ids, or a SELECT of them that the database reads in the same query."""
    if not isinstance(user_ids, sa.Select) and not user_ids:
        return {}
    rows = db.session.execute(
        sa.select(CourseCompletion.user_id, CourseCompletion.course_slug, sa.func.max(CourseCompletion.completed_at))
        .where(CourseCompletion.user_id.in_(user_ids), CourseCompletion.voided_at.is_(None))
        .group_by(CourseCompletion.user_id, CourseCompletion.course_slug)
    )
    return {(user_id, slug): completed_at.date() for user_id, slug, completed_at in rows}


def agency_assignments(agency_id: int) -> list[Assignment]:
    return list(
        db.session.scalars(sa.select(Assignment).where(Assignment.agency_id == agency_id).order_by(Assignment.course_slug, Assignment.id))
    )


@dataclass(frozen=True)
class RuleTerms:
    """Who must take a course and by when, as typed values: exactly one of role, team and person."""

    role: str | None = None
    team_id: int | None = None
    user_id: int | None = None
    due_on: date | None = None
    due_days_after_joining: int | None = None
    renew_yearly: bool = False
    renew_days_before: int = 30


def create_assignment(agency_id: int, actor: User, catalog, course_slug: str, terms: RuleTerms) -> Assignment:
    """Add the rule for one course of the catalog. Raises InvalidInput."""
    course = catalog.get(course_slug)
    errors = {}
    if course is None:
        errors["course"] = "Choose a course."
    if [terms.role, terms.team_id, terms.user_id].count(None) != 2:
        errors["target"] = "Choose who must take the course: a role, a team or one person."
    elif terms.role is not None and terms.role not in ROLES:
        errors["role"] = "Choose a role."
    elif terms.team_id is not None and agency_row(Team, terms.team_id, agency_id) is None:
        errors["team_id"] = "Choose a team."
    elif terms.user_id is not None and agency_row(User, terms.user_id, agency_id) is None:
        errors["user_id"] = "Choose a person."
    if errors:
        raise InvalidInput(errors)
    row = Assignment(agency_id=agency_id, created_by_id=actor.id, course_slug=course.slug, **asdict(terms))
    db.session.add(row)
    db.session.flush()
    audit.record(
        agency_id,
        actor.id,
        "assignment.create",
        course.title,
        target=describe_target(row),
        due=row.due_on.isoformat() if row.due_on else row.due_days_after_joining,
        renew_yearly=row.renew_yearly,
    )
    return row


def delete_assignment(agency_id: int, actor: User, assignment_id: int, catalog) -> bool:
    row = db.session.scalar(sa.select(Assignment).where(Assignment.id == assignment_id, Assignment.agency_id == agency_id))
    if row is None:
        return False
    course = catalog.get(row.course_slug)
    audit.record(agency_id, actor.id, "assignment.delete", course.title if course else row.course_slug, target=describe_target(row))
    db.session.delete(row)
    return True


def describe_target(row: Assignment) -> str:
    if row.role:
        return f"everyone with the role {row.role}"
    if row.team_id:
        return f"team {db.session.get(Team, row.team_id).name}"
    return f"person {db.session.get(User, row.user_id).email}"
