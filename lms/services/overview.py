"""What My learning shows of one learner: their rules, progress and completions, in one round trip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from lms.domain.assignments import Requirement, Rule, requirements_for
from lms.domain.courses import Catalog
from lms.domain.progress import CourseProgress, course_progress
from lms.extensions import db
from lms.models import Assignment, CourseCompletion, LessonProgress, User
from lms.services.assignments import person_of

PROGRESS, COMPLETION, RULE = 0, 1, 2
_LEARNER = sa.bindparam("user_id")
RULE_COLUMNS = ["id", "user_id", "team_id", "role", "due_on", "due_days_after_joining", "renew_yearly", "renew_days_before"]


def _nothing(column):
    return sa.cast(sa.null(), column.type)


# Three reads of one shape, tagged by kind; built once. Columns a kind does not use are NULL.
RULE_NULLS = [_nothing(getattr(Assignment, name)).label(name) for name in RULE_COLUMNS]
LEARNER_FACTS = sa.union_all(
    sa.select(
        sa.literal_column(str(PROGRESS)).label("kind"), LessonProgress.course_slug, LessonProgress.lesson_id,
        LessonProgress.completed_at.label("moment"), *RULE_NULLS,
    ).where(LessonProgress.user_id == _LEARNER),
    sa.select(
        sa.literal_column(str(COMPLETION)), CourseCompletion.course_slug, _nothing(LessonProgress.lesson_id),
        sa.func.max(CourseCompletion.completed_at), *RULE_NULLS,
    ).where(CourseCompletion.user_id == _LEARNER, CourseCompletion.voided_at.is_(None)).group_by(CourseCompletion.course_slug),
    sa.select(
        sa.literal_column(str(RULE)), Assignment.course_slug, _nothing(LessonProgress.lesson_id),
        _nothing(LessonProgress.completed_at), *(getattr(Assignment, name) for name in RULE_COLUMNS),
    ).where(Assignment.agency_id == sa.bindparam("agency_id")),
)


@dataclass(frozen=True)
class Overview:
    requirements: dict[str, Requirement]  # by course slug
    progress: dict[str, CourseProgress]  # every course of the catalog
    completed_on: dict[str, date]  # latest completion by course slug


def overview_of(user: User, catalog: Catalog) -> Overview:
    completed: dict[str, list[str]] = {}
    viewed: dict[str, list[str]] = {}
    completed_on: dict[str, date] = {}
    rules = []
    for row in db.session.execute(LEARNER_FACTS, {"user_id": user.id, "agency_id": user.agency_id}):
        if row.kind == PROGRESS:
            viewed.setdefault(row.course_slug, []).append(row.lesson_id)
            if row.moment is not None:
                completed.setdefault(row.course_slug, []).append(row.lesson_id)
        elif row.kind == COMPLETION:
            completed_on[row.course_slug] = row.moment.date()
        else:
            rules.append(Rule(course_slug=row.course_slug, **{name: getattr(row, name) for name in RULE_COLUMNS}))
    progress = {
        course.slug: course_progress(course, completed.get(course.slug, ()), viewed.get(course.slug, ()))
        for course in catalog
    }
    return Overview(requirements_for(person_of(user), rules), progress, completed_on)
