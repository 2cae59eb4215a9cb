"""Finishing a course: the completion record is made exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from lms.domain.assignments import YEAR
from lms.domain.courses import Course
from lms.domain.progress import CourseProgress, course_status, is_course_done
from lms.extensions import db
from lms.models import Certificate, CheckAttempt, CourseCompletion, CourseEvaluation, User, utcnow
from lms.services import xapi
from lms.services.assignments import requirements_of
from lms.services.certificates import issue_certificate
from lms.services.progress import progress_in
from lms.services.upsert import insert_on_conflict

FIRST_ROUND = 1
# A certificate that expires can be earned again this many days before it does; its
# holder gets a reminder then (lms.services.reminders).
EXPIRY_RENEWAL_DAYS = 30


@dataclass(frozen=True)
class CourseStanding:
    """Everything the course page needs to say where a learner stands."""

    progress: CourseProgress
    status: str
    completion: CourseCompletion | None
    attempts: int
    last_attempt: CheckAttempt | None
    evaluated: bool
    renewal_due_on: date | None = None  # set while a yearly renewal is open
    voided: CourseCompletion | None = None  # the last completion, when its certificate was revoked


def completion_of(user_id: int, course_slug: str) -> CourseCompletion | None:
    """The learner's latest completion that still counts (its certificate not revoked)."""
    return db.session.scalar(
        sa.select(CourseCompletion)
        .where(CourseCompletion.user_id == user_id, CourseCompletion.course_slug == course_slug, CourseCompletion.voided_at.is_(None))
        .order_by(CourseCompletion.round.desc())
        .limit(1)
    )


def _last_round(user_id: int, course_slug: str) -> CourseCompletion | None:
    return db.session.scalar(
        sa.select(CourseCompletion)
        .where(CourseCompletion.user_id == user_id, CourseCompletion.course_slug == course_slug)
        .order_by(CourseCompletion.round.desc())
        .limit(1)
    )


def _voided_last_round(user_id: int, course_slug: str) -> CourseCompletion | None:
    last = _last_round(user_id, course_slug)
    return last if last is not None and last.voided_at is not None else None


def standing(user_id: int, course: Course) -> CourseStanding:
    progress = progress_in(user_id, course)
    completion = completion_of(user_id, course.slug)
    voided = None if completion else _voided_last_round(user_id, course.slug)
    attempts_query = (
        sa.select(CheckAttempt.id, CheckAttempt.passed, CheckAttempt.score, CheckAttempt.submitted_at)
        .where(
            CheckAttempt.user_id == user_id,
            CheckAttempt.course_slug == course.slug,
            CheckAttempt.submitted_at.is_not(None),
        )
        .order_by(CheckAttempt.submitted_at)
    )
    if voided is not None:  # earning it again takes a check passed after the revocation
        attempts_query = attempts_query.where(CheckAttempt.submitted_at >= voided.voided_at)
    attempts = db.session.execute(attempts_query).all()
    evaluated = _evaluated(user_id, course.slug)
    passed = any(a.passed for a in attempts)
    status = course_status(
        progress,
        completed=completion is not None,
        check_passed=passed,
        check_failed=bool(attempts) and not passed,
        evaluated=evaluated,
    )
    renewal_due_on = None
    if completion is not None:
        renewal = _renewal(user_id, course.slug, completion)
        if renewal is not None and utcnow().date() >= renewal[0]:
            renewal_due_on = renewal[1]
    return CourseStanding(
        progress, status, completion, len(attempts), attempts[-1] if attempts else None, evaluated, renewal_due_on, voided
    )


def _evaluated(user_id: int, course_slug: str) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(CourseEvaluation.user_id == user_id, CourseEvaluation.course_slug == course_slug)
        )
        > 0
    )


def _renewal(user_id: int, course_slug: str, completion: CourseCompletion) -> tuple[date, date] | None:
    """(the day a renewal opens, the day it is due) for this completion, or None.

    A renewal comes from a yearly requirement, or from the certificate's expiry date,
    whichever is sooner."""
    found = []
    requirement = requirements_of(db.session.get(User, user_id)).get(course_slug)
    if requirement is not None and requirement.renew_yearly:
        due = completion.completed_at.date() + YEAR
        found.append((due - timedelta(days=requirement.renew_days_before), due))
    expires_on = db.session.scalar(
        sa.select(Certificate.expires_on).where(Certificate.completion_id == completion.id, Certificate.replaced_by_id.is_(None))
    )
    if expires_on is not None:
        found.append((expires_on - timedelta(days=EXPIRY_RENEWAL_DAYS), expires_on))
    return min(found) if found else None


def renewal_opens_on(user_id: int, course_slug: str, completion: CourseCompletion) -> date | None:
    """The day a renewal of this completion opens, or None when none is due."""
    renewal = _renewal(user_id, course_slug, completion)
    return renewal[0] if renewal else None


def complete_if_done(user_id: int, course: Course) -> CourseCompletion | None:
    """Record the completion when every requirement is met. Safe to call again and again,
    and from several requests at once: the unique constraint keeps one record."""
    existing = completion_of(user_id, course.slug)
    round_, since = FIRST_ROUND, None
    if existing is not None:
        opens = renewal_opens_on(user_id, course.slug, existing)
        if opens is None or utcnow().date() < opens:
            return existing
        # A yearly renewal is due: a check passed since the renewal opened earns the next round.
        round_, since = existing.round + 1, datetime.combine(opens, time.min, tzinfo=timezone.utc)
    else:
        voided = _voided_last_round(user_id, course.slug)
        if voided is not None:  # a revoked certificate: a check passed since then earns the next round
            round_, since = voided.round + 1, voided.voided_at
    passed_attempts = sa.select(CheckAttempt.id, CheckAttempt.score).where(
        CheckAttempt.user_id == user_id, CheckAttempt.course_slug == course.slug, CheckAttempt.passed.is_(True)
    )
    if since is not None:
        passed_attempts = passed_attempts.where(CheckAttempt.submitted_at >= since)
    best = db.session.execute(passed_attempts.order_by(CheckAttempt.score.desc(), CheckAttempt.id).limit(1)).first()
    progress = progress_in(user_id, course)
    if not is_course_done(progress, check_passed=best is not None or not course.questions, evaluated=_evaluated(user_id, course.slug)):
        return existing  # None, or the earlier round while a renewal waits for a new pass
    inserted = db.session.execute(
        insert_on_conflict(CourseCompletion)
        .values(
            user_id=user_id,
            course_slug=course.slug,
            round=round_,
            course_title=course.title,
            course_version=course.version,
            completed_at=utcnow(),
            score=best.score if best else None,
            ce_hours=course.ce_hours,
            attempt_id=best.id if best else None,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "course_slug", "round"])
        .returning(CourseCompletion.id)
    ).first()
    completion = completion_of(user_id, course.slug)
    if inserted is not None:  # only the request that made the completion issues its certificate
        xapi.course_satisfied(completion)
        issue_certificate(
            completion,
            [objective.text for objective in course.objectives],
            valid_for_months=course.valid_for_months,
            ce_categories=dict(course.ce_categories),
        )
    return completion
