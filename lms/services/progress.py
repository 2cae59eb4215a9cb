"""Recording what a learner has opened and finished."""

from __future__ import annotations

import sqlalchemy as sa

from lms.domain.courses import Catalog, Course
from lms.domain.progress import CourseProgress, course_progress
from lms.extensions import db
from lms.models import LessonProgress, utcnow
from lms.services.upsert import insert_on_conflict

PROGRESS_KEY = ["user_id", "course_slug", "lesson_id"]


def record_view(user_id: int, course: Course, lesson_id: str) -> bool:
    """Record the first time a learner opens a lesson; True when this was the first time.

    Later views write nothing, so reading a lesson again costs no write transaction.
    """
    statement = insert_on_conflict(LessonProgress).values(
        user_id=user_id, course_slug=course.slug, lesson_id=lesson_id, first_viewed_at=utcnow()
    )
    inserted = db.session.execute(
        statement.on_conflict_do_nothing(index_elements=PROGRESS_KEY).returning(LessonProgress.id)
    ).first()
    return inserted is not None


def complete_lesson(user_id: int, course: Course, lesson_id: str) -> None:
    """Mark a lesson complete. Repeating it (a double click, a replayed post) changes nothing."""
    now = utcnow()
    statement = insert_on_conflict(LessonProgress).values(
        user_id=user_id,
        course_slug=course.slug,
        lesson_id=lesson_id,
        first_viewed_at=now,
        completed_at=now,
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=PROGRESS_KEY,
            set_={"completed_at": sa.func.coalesce(LessonProgress.completed_at, statement.excluded.completed_at)},
        )
    )


def progress_in(user_id: int, course: Course) -> CourseProgress:
    rows = db.session.execute(
        sa.select(LessonProgress.lesson_id, LessonProgress.completed_at).where(
            LessonProgress.user_id == user_id, LessonProgress.course_slug == course.slug
        )
    ).all()
    return course_progress(
        course, [r.lesson_id for r in rows if r.completed_at is not None], [r.lesson_id for r in rows]
    )


def progress_in_all(user_id: int, catalog: Catalog) -> dict[str, CourseProgress]:
    """Progress in every course of the catalog, from one query."""
    completed: dict[str, list[str]] = {}
    viewed: dict[str, list[str]] = {}
    rows = db.session.execute(
        sa.select(LessonProgress.course_slug, LessonProgress.lesson_id, LessonProgress.completed_at).where(
            LessonProgress.user_id == user_id
        )
    )
    for row in rows:
        viewed.setdefault(row.course_slug, []).append(row.lesson_id)
        if row.completed_at is not None:
            completed.setdefault(row.course_slug, []).append(row.lesson_id)
    return {
        course.slug: course_progress(course, completed.get(course.slug, ()), viewed.get(course.slug, ()))
        for course in catalog
    }
