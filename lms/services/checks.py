"""Taking a knowledge check: attempts, grading, and the record of every try."""

from __future__ import annotations

import sqlalchemy as sa

from lms.domain.courses import Course
from lms.domain.grading import Grade, grade, pass_mark_for, shuffled
from lms.extensions import db
from lms.models import CheckAttempt, utcnow
from lms.services import xapi


def open_attempt(user_id: int, course: Course) -> CheckAttempt:
    """The learner's unsubmitted attempt on the current course version, or a new one."""
    attempt = db.session.scalar(
        sa.select(CheckAttempt)
        .where(
            CheckAttempt.user_id == user_id,
            CheckAttempt.course_slug == course.slug,
            CheckAttempt.course_version == course.version,
            CheckAttempt.submitted_at.is_(None),
        )
        .order_by(CheckAttempt.id.desc())
        .limit(1)
    )
    if attempt is None:
        attempt = CheckAttempt(user_id=user_id, course_slug=course.slug, course_version=course.version)
        db.session.add(attempt)
        db.session.flush()
        xapi.check_attempted(attempt, course)
    return attempt


def attempt_of(user_id: int, course: Course, attempt_id: int) -> CheckAttempt | None:
    """An attempt, only if it is this learner's and this course's."""
    return db.session.scalar(
        sa.select(CheckAttempt).where(
            CheckAttempt.id == attempt_id, CheckAttempt.user_id == user_id, CheckAttempt.course_slug == course.slug
        )
    )


def submit(attempt: CheckAttempt, course: Course, roles, answers: dict[str, str], agency_pass_mark: int) -> bool:
    """Grade and store an attempt on the questions served to a learner with these roles.
    Raises IncompleteAnswers, writing nothing.

    Returns False when the attempt had already been submitted (a repeated post): the
    first result stands.
    """
    result = grade(course.questions_for(roles), answers, pass_mark_for(course, agency_pass_mark))
    stored = db.session.execute(
        sa.update(CheckAttempt)
        .where(CheckAttempt.id == attempt.id, CheckAttempt.submitted_at.is_(None))
        .values(
            submitted_at=utcnow(),
            answers={m.question.id: m.chosen.id for m in result.marked},
            score=result.score,
            pass_mark=result.pass_mark,
            passed=result.passed,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    if stored.rowcount == 1:
        xapi.check_judged(attempt, course)
    return stored.rowcount == 1


def marked(attempt: CheckAttempt, course: Course) -> Grade | None:
    """The question-by-question result, when the attempt was on the current course version.

    Graded on the questions the learner answered (the set they were served, even if their
    roles have changed since), in the order the attempt showed them.
    """
    if attempt.answers is None or attempt.course_version != course.version:
        return None
    answered = [question for question in course.questions if question.id in attempt.answers]
    shown = [item.question for item in shuffled(answered, attempt.id)]
    return grade(shown, attempt.answers, attempt.pass_mark)


def submitted_attempts(user_id: int, course_slug: str) -> list[CheckAttempt]:
    return list(
        db.session.scalars(
            sa.select(CheckAttempt)
            .where(
                CheckAttempt.user_id == user_id,
                CheckAttempt.course_slug == course_slug,
                CheckAttempt.submitted_at.is_not(None),
            )
            .order_by(CheckAttempt.submitted_at)
        )
    )
