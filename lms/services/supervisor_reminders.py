"""A reminder a supervisor sends one person on their team, by mail through the outbox.

One reminder per person per REMINDER_PAUSE, whoever sends it: a double click, a second
supervisor or a repeat visit never sends the same person two reminders in a row. Each
reminder sent is in the agency's audit trail. Flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import render_template

from lms.domain.assignments import COMPLETE, OVERDUE, standing
from lms.extensions import db
from lms.mail import Mail
from lms.models import OutgoingMail, User, utcnow
from lms.public_urls import public_url
from lms.services import audit, outbox
from lms.services.assignments import latest_completions, requirements_of

KIND = "supervisor-reminder"
REMINDER_PAUSE = timedelta(hours=24)


@dataclass(frozen=True)
class ReminderResult:
    sent: bool
    course_count: int = 0  # required courses not finished, named in the mail
    last_sent_at: datetime | None = None  # when refused: the reminder that is still recent


def last_reminder_at(user_id: int, since: datetime) -> datetime | None:
    return db.session.scalar(
        sa.select(sa.func.max(OutgoingMail.created_at)).where(
            OutgoingMail.user_id == user_id,
            OutgoingMail.kind == KIND,
            OutgoingMail.created_at >= since,
            OutgoingMail.status != outbox.CANCELLED,
        )
    )


def send_reminder(supervisor: User, learner: User, catalog, today: date) -> ReminderResult:
    """Queue a reminder to the learner about their unfinished required training, unless one went recently.

    The caller has made sure the learner is on one of the supervisor's teams.
    """
    # Two clicks at once: the second waits here for the first (PostgreSQL) and then sees its mail.
    db.session.execute(sa.select(User.id).where(User.id == learner.id).with_for_update())
    now = utcnow()
    recent = last_reminder_at(learner.id, now - REMINDER_PAUSE)
    if recent is not None:
        return ReminderResult(False, last_sent_at=recent)
    courses = _unfinished_required(learner, catalog, today)
    outbox.queue(_mail(supervisor, learner, courses), KIND, learner.agency_id, learner.id)
    audit.record(
        learner.agency_id,
        supervisor.id,
        "reminder.send",
        learner.name,
        email=learner.email,
        courses=[course["title"] for course in courses],
    )
    return ReminderResult(True, len(courses))


def _unfinished_required(learner: User, catalog, today: date) -> list[dict]:
    requirements = requirements_of(learner)
    completions = latest_completions([learner.id])
    courses = []
    for course in catalog:
        requirement = requirements.get(course.slug)
        if requirement is None:
            continue
        status = standing(requirement, completions.get((learner.id, course.slug)), False, today)
        if status.state != COMPLETE:
            courses.append(
                {
                    "title": course.title,
                    "due_on": status.due_on,
                    "overdue": status.state == OVERDUE,
                    "url": public_url("learn.show_course", slug=course.slug),
                }
            )
    return courses


def _mail(supervisor: User, learner: User, courses: list[dict]) -> Mail:
    context = dict(
        name=learner.name,
        supervisor=supervisor.name,
        agency=learner.agency.name,
        courses=courses,
        my_learning_url=public_url("learn.my_learning"),
    )
    return Mail(
        learner.email,
        f"A reminder from {supervisor.name} about your training",
        render_template("email/supervisor_reminder.txt", **context),
        render_template("email/supervisor_reminder.html", **context),
    )
