"""xAPI statements about learners' progress, queued with the event that causes them.

Only for agencies with an LRS (lms.services.lrs_settings); for the others each event costs
one read and writes nothing. Each event is queued once per agency (event_key is unique),
so a repeated post or a second request at the same moment adds nothing. `flask xapi send`
(lms.services.xapi_outbox) delivers them. Statements hold ids, titles, scores and times:
never a name, an email, a reflection or a self-care plan. Flushes; the caller commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import sqlalchemy as sa

from lms.domain import xapi
from lms.domain.courses import Course
from lms.extensions import db
from lms.models import Certificate, CheckAttempt, CourseCompletion, LrsConnection, User, XapiStatement, utcnow
from lms.public_urls import public_url
from lms.services.upsert import insert_on_conflict


class InvalidStatement(ValueError):
    pass


def _connection_of(user_id: int) -> LrsConnection | None:
    return db.session.scalar(
        sa.select(LrsConnection)
        .join(User, User.agency_id == LrsConnection.agency_id)
        .where(User.id == user_id, LrsConnection.endpoint.is_not(None))
    )


def _course(agency_id: int, slug: str, title: str) -> xapi.Activity:
    """The course's public page for this agency (the one its credentials point at): no login needed."""
    return xapi.Activity(public_url("public.achievement", agency_id=agency_id, slug=slug), xapi.COURSE_TYPE, title)


def _check(slug: str, title: str) -> xapi.Activity:
    return xapi.Activity(public_url("learn.show_check", slug=slug), xapi.ASSESSMENT_TYPE, f"Knowledge check: {title}")


def _certificate(course: xapi.Activity) -> xapi.Activity:
    # Named after the course's page, not the certificate's verify page: that one shows the learner's name.
    return xapi.Activity(course.id + "#certificate", xapi.CERTIFICATE_TYPE, f"Certificate: {course.name}")


def _queue(user_id: int, event_key: str, build) -> None:
    """Queue the statement build(actor, statement_id, connection) makes, when the learner's agency has an LRS."""
    connection = _connection_of(user_id)
    if connection is None:
        return
    statement_id = str(uuid.uuid4())
    actor = xapi.agent(public_url("index"), xapi.actor_name(connection.actor_namespace, user_id))
    statement = build(actor, statement_id, connection)
    problems = xapi.statement_problems(statement)
    if problems:
        raise InvalidStatement(f"{event_key}: {'; '.join(problems)}")
    now = utcnow()
    db.session.execute(
        insert_on_conflict(XapiStatement)
        .values(
            agency_id=connection.agency_id,
            user_id=user_id,
            event_key=event_key,
            statement_id=statement_id,
            statement=statement,
            status="queued",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["agency_id", "event_key"])
    )


def lesson_viewed(user_id: int, course: Course, lesson_id: str) -> None:
    _lesson_event(user_id, course, lesson_id, xapi.EXPERIENCED, None)


def lesson_completed(user_id: int, course: Course, lesson_id: str) -> None:
    _lesson_event(user_id, course, lesson_id, xapi.COMPLETED, xapi.COMPLETION_RESULT)


def _lesson_event(user_id: int, course: Course, lesson_id: str, verb: xapi.Verb, result: dict | None) -> None:
    lesson = course.lesson(lesson_id)
    if lesson is None:
        return
    activity = xapi.Activity(public_url("learn.show_lesson", slug=course.slug, lesson_id=lesson.id), xapi.LESSON_TYPE, lesson.title)
    _queue(
        user_id,
        f"lesson-{verb.display}:{user_id}:{course.slug}:{lesson.id}",
        lambda actor, sid, lrs: xapi.statement(
            sid,
            actor,
            verb,
            activity,
            utcnow(),
            course=_course(lrs.agency_id, course.slug, course.title),
            registration_id=xapi.registration(lrs.actor_namespace, user_id, course.slug),
            result=result,
        ),
    )


def check_attempted(attempt: CheckAttempt, course: Course) -> None:
    _queue(
        attempt.user_id,
        f"check-attempted:{attempt.id}",
        lambda actor, sid, lrs: xapi.statement(
            sid,
            actor,
            xapi.ATTEMPTED,
            _check(course.slug, course.title),
            attempt.started_at,
            course=_course(lrs.agency_id, course.slug, course.title),
            registration_id=xapi.registration(lrs.actor_namespace, attempt.user_id, course.slug),
        ),
    )


def check_judged(attempt: CheckAttempt, course: Course) -> None:
    """Passed or failed, with the score and how long the attempt took."""
    verb = xapi.PASSED if attempt.passed else xapi.FAILED
    seconds = (_aware(attempt.submitted_at) - _aware(attempt.started_at)).total_seconds()
    _queue(
        attempt.user_id,
        f"check-judged:{attempt.id}",
        lambda actor, sid, lrs: xapi.statement(
            sid,
            actor,
            verb,
            _check(course.slug, course.title),
            attempt.submitted_at,
            course=_course(lrs.agency_id, course.slug, course.title),
            registration_id=xapi.registration(lrs.actor_namespace, attempt.user_id, course.slug),
            result=xapi.check_result(attempt.score, bool(attempt.passed), seconds),
        ),
    )


def course_satisfied(completion: CourseCompletion) -> None:
    """cmi5's LMS statement for a finished course: every requirement of it is met."""
    slug = completion.course_slug
    _queue(
        completion.user_id,
        f"course-satisfied:{completion.id}",
        lambda actor, sid, lrs: xapi.statement(
            sid,
            actor,
            xapi.SATISFIED,
            _course(lrs.agency_id, slug, completion.course_title),
            completion.completed_at,
            registration_id=xapi.registration(lrs.actor_namespace, completion.user_id, slug),
        ),
    )


def certificate_earned(certificate: Certificate, moment: datetime | None = None) -> None:
    """Issued, or issued again after a revocation was undone (a new statement: the old one stays void).

    Only for courses: an in-person training recorded by a supervisor is not a course the
    learner took here, and has no lessons or check to group with it."""
    if certificate.delivery_format is not None:
        return
    moment = moment or certificate.issued_at or utcnow()
    slug = certificate.course_slug

    def build(actor, statement_id, lrs):
        course = _course(lrs.agency_id, slug, certificate.course_title)
        return xapi.statement(
            statement_id,
            actor,
            xapi.EARNED,
            _certificate(course),
            moment,
            course=course,
            registration_id=xapi.registration(lrs.actor_namespace, certificate.user_id, slug),
        )

    # Keyed by the completion: a re-issued certificate (a new name) is the same award.
    _queue(certificate.user_id, f"certificate-earned:{certificate.completion_id}:{_aware(moment).isoformat()}", build)


def certificate_revoked(certificate: Certificate) -> None:
    """Void the statement that said the certificate was earned (when one was made), even if
    it was made for the certificate this one replaced."""
    earned = db.session.scalar(
        sa.select(XapiStatement.statement_id)
        .where(
            XapiStatement.agency_id == certificate.agency_id,
            XapiStatement.event_key.like(f"certificate-earned:{certificate.completion_id}:%"),
        )
        .order_by(XapiStatement.id.desc())
        .limit(1)
    )
    if earned is None:
        return
    moment = certificate.revoked_at
    _queue(
        certificate.user_id,
        f"certificate-revoked:{certificate.completion_id}:{_aware(moment).isoformat()}",
        lambda actor, sid, lrs: xapi.voiding(sid, actor, earned, moment),
    )


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
