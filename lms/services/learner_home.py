"""The few facts a learner's home page needs beyond their progress: when they last worked on
each course, and the contact hours they earned this year."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from lms.extensions import db
from lms.models import CourseCompletion, LessonProgress


def last_activity(user_id: int) -> dict[str, datetime]:
    """{course slug: the last time a lesson was opened or finished}, in one query."""
    rows = db.session.execute(
        sa.select(LessonProgress.course_slug, sa.func.max(LessonProgress.first_viewed_at), sa.func.max(LessonProgress.completed_at))
        .where(LessonProgress.user_id == user_id)
        .group_by(LessonProgress.course_slug)
    )
    return {slug: max(_aware(moment) for moment in (viewed, completed) if moment is not None) for slug, viewed, completed in rows}


def hours_in_year(user_id: int, year: int) -> float:
    start = datetime(year, 1, 1, tzinfo=timezone.utc)
    total = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CourseCompletion.ce_hours), 0)).where(
            CourseCompletion.user_id == user_id,
            CourseCompletion.completed_at >= start,
            CourseCompletion.completed_at < start.replace(year=year + 1),
        )
    )
    return float(total)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite hands back naive UTC
