"""Assignment rules: making them, and reading where people stand against them."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from lms.domain.assignments import Person, Requirement, Rule, requirements_for
from lms.domain.roles import ROLES
from lms.extensions import db
from lms.models import Assignment, CourseCompletion, Team, User
from lms.services import audit
from lms.services.invalid_input import InvalidInput

MAX_DAYS = 3650


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
    """{(user id, course slug): date of the latest completion}, in one query."""
    if not user_ids:
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


def create_assignment(agency_id: int, actor: User, catalog, form: dict) -> Assignment:
    """Validate a submitted assignment form and add the rule. Raises InvalidInput."""
    errors = {}
    course = catalog.get(form.get("course", ""))
    if course is None:
        errors["course"] = "Choose a course."
    target = form.get("target")
    row = Assignment(agency_id=agency_id, created_by_id=actor.id)
    if target == "role":
        if form.get("role") not in ROLES:
            errors["role"] = "Choose a role."
        row.role = form.get("role")
    elif target == "team":
        team = _agency_row(Team, form.get("team_id"), agency_id)
        if team is None:
            errors["team_id"] = "Choose a team."
        row.team_id = team.id if team else None
    elif target == "person":
        person = _agency_row(User, form.get("user_id"), agency_id)
        if person is None:
            errors["user_id"] = "Choose a person."
        row.user_id = person.id if person else None
    else:
        errors["target"] = "Choose who must take the course: a role, a team or one person."
    due_rule = form.get("due_rule")
    if due_rule == "date":
        try:
            row.due_on = date.fromisoformat(form.get("due_on", ""))
        except ValueError:
            errors["due_on"] = "Enter the due date as year-month-day, for example 2027-03-01."
    elif due_rule == "after-joining":
        days = _whole_number(form.get("due_days", ""))
        if days is None or not 1 <= days <= MAX_DAYS:
            errors["due_days"] = f"Enter a number of days from 1 to {MAX_DAYS}."
        row.due_days_after_joining = days
    elif due_rule != "none":
        errors["due_rule"] = "Choose when the course is due."
    row.renew_yearly = form.get("renew_yearly") == "yes"
    if row.renew_yearly:
        before = _whole_number(form.get("renew_days_before", "30"))
        if before is None or not 0 <= before <= 180:
            errors["renew_days_before"] = "Enter a number of days from 0 to 180."
        row.renew_days_before = before if before is not None else 30
    if errors:
        raise InvalidInput(errors)
    row.course_slug = course.slug
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


def _agency_row(model, raw_id, agency_id):
    number = _whole_number(raw_id or "")
    row = db.session.get(model, number) if number else None
    return row if row is not None and row.agency_id == agency_id else None


def _whole_number(text):
    text = (text or "").strip()
    return int(text) if text.isdigit() else None
