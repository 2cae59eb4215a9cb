"""What My learning shows of one learner, in one round trip: their rules and the learning
paths assigned to them, their progress and when they last worked on each course, their
completions, and the contact hours they earned this year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import sqlalchemy as sa

from lms.domain.assignments import Requirement, Rule, requirements_for
from lms.domain.courses import Catalog
from lms.domain.progress import CourseProgress, course_progress
from lms.extensions import db
from lms.models import Assignment, CourseCompletion, LessonProgress, User
from lms.services.assignments import person_of

PROGRESS, COMPLETION, RULE, HOURS = 0, 1, 2, 3
_LEARNER = sa.bindparam("user_id")
RULE_COLUMNS = ["id", "user_id", "team_id", "role", "due_on", "due_days_after_joining", "renew_yearly", "renew_days_before"]


def _nothing(column):
    return sa.cast(sa.null(), column.type)


# Four reads of one shape, tagged by kind; built once. Columns a kind does not use are NULL.
RULE_NULLS = [_nothing(getattr(Assignment, name)).label(name) for name in RULE_COLUMNS]
LEARNER_FACTS = sa.union_all(
    sa.select(
        sa.literal_column(str(PROGRESS)).label("kind"),
        LessonProgress.course_slug,
        LessonProgress.lesson_id,
        LessonProgress.completed_at.label("moment"),
        LessonProgress.first_viewed_at.label("viewed_at"),
        _nothing(CourseCompletion.ce_hours).label("hours"),
        _nothing(Assignment.path_id).label("path_id"),
        *RULE_NULLS,
    ).where(LessonProgress.user_id == _LEARNER),
    sa.select(
        sa.literal_column(str(COMPLETION)),
        CourseCompletion.course_slug,
        _nothing(LessonProgress.lesson_id),
        sa.func.max(CourseCompletion.completed_at),
        _nothing(LessonProgress.first_viewed_at),
        _nothing(CourseCompletion.ce_hours),
        _nothing(Assignment.path_id),
        *RULE_NULLS,
    )
    .where(CourseCompletion.user_id == _LEARNER, CourseCompletion.voided_at.is_(None))
    .group_by(CourseCompletion.course_slug),
    sa.select(
        sa.literal_column(str(RULE)),
        Assignment.course_slug,
        _nothing(LessonProgress.lesson_id),
        _nothing(LessonProgress.completed_at),
        _nothing(LessonProgress.first_viewed_at),
        _nothing(CourseCompletion.ce_hours),
        Assignment.path_id,
        *(getattr(Assignment, name) for name in RULE_COLUMNS),
    ).where(Assignment.agency_id == sa.bindparam("agency_id")),
    sa.select(
        sa.literal_column(str(HOURS)),
        _nothing(CourseCompletion.course_slug),
        _nothing(LessonProgress.lesson_id),
        _nothing(LessonProgress.completed_at),
        _nothing(LessonProgress.first_viewed_at),
        sa.func.coalesce(sa.func.sum(CourseCompletion.ce_hours), 0),
        _nothing(Assignment.path_id),
        *RULE_NULLS,
    ).where(
        CourseCompletion.user_id == _LEARNER,
        CourseCompletion.completed_at >= sa.bindparam("year_starts"),
        CourseCompletion.completed_at < sa.bindparam("next_year_starts"),
    ),
)


@dataclass(frozen=True)
class Overview:
    requirements: dict[str, Requirement]  # by course slug
    progress: dict[str, CourseProgress]  # every course of the catalog
    completed_on: dict[str, date]  # latest completion by course slug
    last_activity: dict[str, datetime]  # by course slug: the last time a lesson was opened or finished
    hours_this_year: float  # contact hours of the courses completed this calendar year
    path_ids: frozenset[int]  # the learning paths assigned to this person
    facts: tuple  # the rows read, as they came: with the person and the catalog, all the above derives from them


def overview_of(user: User, catalog: Catalog, today: date) -> Overview:
    rows = _learner_facts(user, today)
    lesson_rows = [row for row in rows if row.kind == PROGRESS]
    rule_rows = [row for row in rows if row.kind == RULE]
    completed, viewed = _lessons_by_course(lesson_rows)
    progress = {course.slug: course_progress(course, completed.get(course.slug, ()), viewed.get(course.slug, ())) for course in catalog}
    completed_on = {row.course_slug: row.moment.date() for row in rows if row.kind == COMPLETION}
    hours = next((float(row.hours) for row in rows if row.kind == HOURS), 0.0)
    rules = [Rule(course_slug=row.course_slug, **{name: getattr(row, name) for name in RULE_COLUMNS}) for row in rule_rows]
    return Overview(
        requirements_for(person_of(user), rules),
        progress,
        completed_on,
        _last_activity(lesson_rows),
        hours,
        _path_ids(user, rule_rows),
        rows,
    )


def _learner_facts(user: User, today: date) -> tuple:
    year_starts = datetime(today.year, 1, 1, tzinfo=timezone.utc)
    return tuple(
        db.session.execute(
            LEARNER_FACTS,
            {
                "user_id": user.id,
                "agency_id": user.agency_id,
                "year_starts": year_starts,
                "next_year_starts": year_starts.replace(year=today.year + 1),
            },
        )
    )


def _lessons_by_course(lesson_rows) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """({slug: lessons finished}, {slug: lessons opened})."""
    completed: dict[str, list[str]] = {}
    viewed: dict[str, list[str]] = {}
    for row in lesson_rows:
        viewed.setdefault(row.course_slug, []).append(row.lesson_id)
        if row.moment is not None:
            completed.setdefault(row.course_slug, []).append(row.lesson_id)
    return completed, viewed


def _last_activity(lesson_rows) -> dict[str, datetime]:
    """By course slug: the last time one of its lessons was opened or finished."""
    last_activity: dict[str, datetime] = {}
    for row in lesson_rows:
        for moment in (row.viewed_at, row.moment):
            if moment is not None:
                moment = _aware(moment)
                last_activity[row.course_slug] = max(last_activity.get(row.course_slug, moment), moment)
    return last_activity


def _path_ids(user: User, rule_rows) -> frozenset[int]:
    """The learning paths whose rules name this person, their team or one of their roles."""
    roles = user.roles
    return frozenset(
        row.path_id
        for row in rule_rows
        if row.path_id is not None
        and (row.user_id == user.id or (row.team_id is not None and row.team_id == user.team_id) or row.role in roles)
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite hands back naive UTC
