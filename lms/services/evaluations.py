"""Storing course evaluations, and the anonymous summary for admins."""

from __future__ import annotations

import sqlalchemy as sa

from lms.domain.courses import Course
from lms.domain.evaluation import EvaluationAnswers, EvaluationSummary, summarize
from lms.extensions import db
from lms.models import CourseEvaluation, User
from lms.services.upsert import insert_on_conflict


def submit_evaluation(user_id: int, course: Course, answers: EvaluationAnswers) -> None:
    """Store the learner's evaluation; a second submission for the same round is ignored."""
    db.session.execute(
        insert_on_conflict(CourseEvaluation)
        .values(
            user_id=user_id,
            course_slug=course.slug,
            round=1,
            course_version=course.version,
            objective_ratings=answers.objective_ratings,
            relevance=answers.relevance,
            would_recommend=answers.would_recommend,
            comment=answers.comment,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "course_slug", "round"])
    )


def response_counts(agency_id: int) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(CourseEvaluation.course_slug, sa.func.count())
        .join(User, User.id == CourseEvaluation.user_id)
        .where(User.agency_id == agency_id)
        .group_by(CourseEvaluation.course_slug)
    )
    return dict(rows.all())


def summary_for(agency_id: int, course: Course) -> tuple[int, EvaluationSummary | None]:
    """(number of responses, summary or None while too few to be anonymous) in one agency."""
    rows = db.session.execute(
        sa.select(
            CourseEvaluation.objective_ratings,
            CourseEvaluation.relevance,
            CourseEvaluation.would_recommend,
            CourseEvaluation.comment,
        )
        .join(User, User.id == CourseEvaluation.user_id)
        .where(User.agency_id == agency_id, CourseEvaluation.course_slug == course.slug)
    ).all()
    return len(rows), summarize(course, rows)
