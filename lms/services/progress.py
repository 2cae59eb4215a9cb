"""Recording what a learner has opened and finished."""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa

from lms.domain.courses import Catalog, Course
from lms.domain.progress import CourseProgress, course_progress
from lms.extensions import db
from lms.models import Certificate, CourseCompletion, LessonProgress, Reflection, utcnow
from lms.services import xapi
from lms.services.private_writing import ReflectionText, open_reflection
from lms.services.upsert import insert_on_conflict
from lms.vault import Vault

PROGRESS_KEY = ["user_id", "course_slug", "lesson_id"]

# A lesson page needs the learner's progress in the course, their reflection on the lesson
# and, once the course is complete, the code of its certificate: one round trip instead of
# three, built once. Only reflection rows have a reflection id, only the certificate row a code.
_LEARNER = sa.bindparam("user_id")
_COURSE = sa.bindparam("course_slug")
_NO_CODE = sa.cast(sa.null(), sa.String).label("certificate_code")
# The latest completion that still counts (services.completion.completion_of).
_STANDING_COMPLETION = (
    sa.select(CourseCompletion.id)
    .where(CourseCompletion.user_id == _LEARNER, CourseCompletion.course_slug == _COURSE, CourseCompletion.voided_at.is_(None))
    .order_by(CourseCompletion.round.desc())
    .limit(1)
    .scalar_subquery()
)
PROGRESS_AND_REFLECTION = sa.union_all(
    sa.select(
        LessonProgress.lesson_id,
        LessonProgress.completed_at.label("moment"),
        sa.cast(sa.null(), sa.Integer).label("reflection_id"),
        sa.cast(sa.null(), sa.LargeBinary).label("body_encrypted"),
        _NO_CODE,
    ).where(LessonProgress.user_id == _LEARNER, LessonProgress.course_slug == _COURSE),
    sa.select(Reflection.lesson_id, Reflection.updated_at, Reflection.id, Reflection.body_encrypted, _NO_CODE).where(
        Reflection.user_id == _LEARNER, Reflection.course_slug == _COURSE, Reflection.lesson_id == sa.bindparam("lesson_id")
    ),
    # The certificate that stands for that completion (services.certificates.current_certificate).
    sa.select(
        sa.cast(sa.null(), sa.String),
        sa.cast(sa.null(), sa.DateTime(timezone=True)),
        sa.cast(sa.null(), sa.Integer),
        sa.cast(sa.null(), sa.LargeBinary),
        Certificate.code,
    ).where(
        Certificate.user_id == _LEARNER,
        Certificate.completion_id == _STANDING_COMPLETION,
        Certificate.replaced_by_id.is_(None),
        Certificate.revoked_at.is_(None),
    ),
)


@dataclass(frozen=True)
class LessonState:
    """What a lesson page shows of one learner: progress in the course and the reflection."""

    progress: CourseProgress
    viewed: bool  # the learner has opened this lesson before
    reflection: ReflectionText | None
    viewed_ids: frozenset[str]
    certificate_code: str | None = None  # the certificate of the course, once it is complete

    def after_first_view(self, lesson_id: str) -> LessonState:
        viewed_ids = self.viewed_ids | {lesson_id}
        progress = course_progress(self.progress.course, self.progress.completed, viewed_ids)
        return replace(self, progress=progress, viewed=True, viewed_ids=viewed_ids)


def lesson_state(vault: Vault, user_id: int, course: Course, lesson_id: str) -> LessonState:
    """The learner's own progress, reflection and certificate for a lesson page, in one statement."""
    rows = db.session.execute(PROGRESS_AND_REFLECTION, {"user_id": user_id, "course_slug": course.slug, "lesson_id": lesson_id}).all()
    certificate_code = next((row.certificate_code for row in rows if row.certificate_code is not None), None)
    progress_rows = [row for row in rows if row.reflection_id is None and row.certificate_code is None]
    viewed = frozenset(row.lesson_id for row in progress_rows)
    completed = [row.lesson_id for row in progress_rows if row.moment is not None]
    reflection = next(
        (
            open_reflection(vault, _StoredReflection(row.reflection_id, course.slug, row.lesson_id, row.body_encrypted, row.moment))
            for row in rows
            if row.reflection_id is not None
        ),
        None,
    )
    return LessonState(course_progress(course, completed, viewed), lesson_id in viewed, reflection, viewed, certificate_code)


@dataclass(frozen=True)
class _StoredReflection:
    id: int
    course_slug: str
    lesson_id: str
    body_encrypted: bytes
    updated_at: object


def record_view(user_id: int, course: Course, lesson_id: str) -> bool:
    """Record the first time a learner opens a lesson; True when this was the first time.

    Later views write nothing, so reading a lesson again costs no write transaction.
    """
    statement = insert_on_conflict(LessonProgress).values(
        user_id=user_id, course_slug=course.slug, lesson_id=lesson_id, first_viewed_at=utcnow()
    )
    inserted = db.session.execute(statement.on_conflict_do_nothing(index_elements=PROGRESS_KEY).returning(LessonProgress.id)).first()
    if inserted is not None:
        xapi.lesson_viewed(user_id, course, lesson_id)
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
    xapi.lesson_completed(user_id, course, lesson_id)  # queued once, however often the lesson is marked


def progress_in(user_id: int, course: Course) -> CourseProgress:
    rows = db.session.execute(
        sa.select(LessonProgress.lesson_id, LessonProgress.completed_at).where(
            LessonProgress.user_id == user_id, LessonProgress.course_slug == course.slug
        )
    ).all()
    return course_progress(course, [r.lesson_id for r in rows if r.completed_at is not None], [r.lesson_id for r in rows])


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
    return {course.slug: course_progress(course, completed.get(course.slug, ()), viewed.get(course.slug, ())) for course in catalog}
