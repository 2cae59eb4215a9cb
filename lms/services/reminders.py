"""Reminder mail: gather each agency's facts in a fixed handful of queries, write the mails,
queue them in the outbox and remember them, in one transaction. Flushes; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import aliased

from lms.domain import reminders
from lms.domain.renewal import RENEWAL
from lms.domain.roles import SUPERVISOR
from lms.extensions import db
from lms.mail import Mail
from lms.models import Agency, Certificate, CourseCompletion, SentReminder, Team, User, team_supervisors
from lms.public_urls import public_url
from lms.services import outbox, renewal_reminders
from lms.services.agency_catalog import with_agency_courses
from lms.services.assignments import person_of, rules_of
from lms.services.completion import EXPIRY_RENEWAL_DAYS

REMINDER, DIGEST = "reminder", "digest"


@dataclass(frozen=True)
class Outgoing:
    """One mail to send, and the (kind, key) pairs to remember once it has gone."""

    kind: str  # REMINDER or DIGEST
    agency_id: int
    user_id: int
    mail: Mail
    records: tuple[tuple[str, str], ...]
    details: tuple[str, ...]  # one line per course or person, for --dry-run


def plan_for_agency(agency: Agency, catalog, today: date, sent: set | None = None) -> reminders.Plan:
    """Seven queries per agency (six when `sent` is given), however many people it has."""
    users = list(db.session.scalars(
        sa.select(User).where(User.agency_id == agency.id, User.active).order_by(User.id)
    ))  # and their roles
    team_names = dict(db.session.execute(sa.select(Team.id, Team.name).where(Team.agency_id == agency.id)).all())
    supervised: dict[int, set[int]] = {}
    links = db.session.execute(
        sa.select(team_supervisors.c.user_id, team_supervisors.c.team_id)
        .join(Team, Team.id == team_supervisors.c.team_id)
        .where(Team.agency_id == agency.id, Team.active)
    )
    for user_id, team_id in links:
        supervised.setdefault(user_id, set()).add(team_id)
    learners = [
        reminders.Learner(person_of(user), user.name, user.email, team_names.get(user.team_id)) for user in users
    ]
    supervisors = [  # users holds only this agency's active people, so no one sees another agency
        reminders.Supervisor(user.id, user.name, user.email, frozenset(supervised[user.id]), user.digest_opt_out)
        for user in users
        if user.id in supervised and user.has_role(SUPERVISOR)
    ]
    return reminders.plan(
        learners,
        supervisors,
        rules_of(agency.id),
        _completion_dates(agency.id),
        {course.slug: course.title for course in catalog},
        _already_sent(agency.id, today) if sent is None else sent,
        today,
        agency.reminder_days_before,
    )


def _agency_people(agency_id: int):
    return sa.select(User.id).where(User.agency_id == agency_id, User.active)


def _completion_dates(agency_id: int) -> dict[tuple[int, str], date]:
    rows = db.session.execute(
        sa.select(CourseCompletion.user_id, CourseCompletion.course_slug, sa.func.max(CourseCompletion.completed_at))
        .where(CourseCompletion.user_id.in_(_agency_people(agency_id)), CourseCompletion.voided_at.is_(None))
        .group_by(CourseCompletion.user_id, CourseCompletion.course_slug)
    )
    return {(user_id, slug): completed_at.date() for user_id, slug, completed_at in rows}


def _already_sent(agency_id: int, today: date) -> set[tuple[int, str, str]]:
    rows = db.session.execute(
        sa.select(SentReminder.user_id, SentReminder.kind, SentReminder.key).where(
            SentReminder.user_id.in_(_agency_people(agency_id)),
            sa.or_(
                SentReminder.kind.in_((reminders.DUE_SOON, reminders.OVERDUE, reminders.EXPIRING, RENEWAL)),
                sa.and_(SentReminder.kind == reminders.DIGEST, SentReminder.key == reminders.week_key(today)),
            ),
        )
    )
    return {tuple(row) for row in rows}


def outgoing_mails(catalog, today: date) -> list[Outgoing]:
    """Every mail this run should send, agency by agency: learners' reminders, digests, then notices
    of certificates about to expire."""
    outgoing = []
    for agency in db.session.scalars(sa.select(Agency).order_by(Agency.id)):
        sent = _already_sent(agency.id, today)
        found = plan_for_agency(agency, with_agency_courses(catalog, agency.id), today, sent)
        outgoing += [_reminder_mail(agency, reminder) for reminder in found.reminders]
        outgoing += [_digest_mail(agency, digest) for digest in found.digests]
        notices = reminders.expiry_notices(_expiring_certificates(agency.id, today), sent, today, EXPIRY_RENEWAL_DAYS)
        outgoing += [_expiry_mail(agency, notice) for notice in notices]
        outgoing += renewal_reminders.outgoing(agency, today, sent, Outgoing, _render)
    return outgoing


def _expiring_certificates(agency_id: int, today: date) -> list[reminders.ExpiringCertificate]:
    """The agency's valid certificates that expire within the notice period, held by active
    people who have not earned the course again since."""
    newer = aliased(Certificate)
    rows = db.session.execute(
        sa.select(Certificate.user_id, User.name, User.email, Certificate.course_slug, Certificate.course_title,
                  Certificate.code, Certificate.expires_on)
        .join(User, User.id == Certificate.user_id)
        .where(
            Certificate.agency_id == agency_id, User.active, Certificate.revoked_at.is_(None),
            Certificate.replaced_by_id.is_(None), Certificate.expires_on.is_not(None),
            Certificate.expires_on >= today, Certificate.expires_on <= today + timedelta(days=EXPIRY_RENEWAL_DAYS),
            ~sa.exists().where(newer.user_id == Certificate.user_id, newer.course_slug == Certificate.course_slug,
                               newer.completed_on > Certificate.completed_on, newer.revoked_at.is_(None)),
        )
    )
    return [reminders.ExpiringCertificate(*row) for row in rows]


def _expiry_mail(agency: Agency, notice: reminders.ExpiringCertificate) -> Outgoing:
    context = dict(
        name=notice.name, agency=agency.name, course=notice.course_title, expires_on=notice.expires_on,
        course_url=public_url("learn.show_course", slug=notice.course_slug),
        verify_url=public_url("verify.verify_code", code=notice.code),
    )
    return Outgoing(
        REMINDER, agency.id, notice.user_id, _render(notice.email, notice.subject, "email/certificate_expiring", context),
        notice.records, (f"certificate {notice.code}: {notice.course_title} (expires {notice.expires_on.isoformat()})",),
    )


def _reminder_mail(agency: Agency, reminder: reminders.LearnerReminder) -> Outgoing:
    def listed(courses):
        return [dict(title=c.course_title, due_on=c.due_on, url=public_url("learn.show_course", slug=c.course_slug))
                for c in courses]

    context = dict(
        name=reminder.name,
        agency=agency.name,
        overdue=listed(reminder.overdue),
        due_soon=listed(reminder.due_soon),
        my_learning_url=public_url("learn.my_learning"),
    )
    return Outgoing(
        REMINDER,
        agency.id,
        reminder.user_id,
        _render(reminder.email, reminder.subject, "email/reminder", context),
        reminder.records,
        tuple(f"{c.kind}: {c.course_title} (due {c.due_on.isoformat()})" for c in reminder.courses),
    )


def _digest_mail(agency: Agency, digest: reminders.Digest) -> Outgoing:
    items = [dict(person=i.person_name, team=i.team_name, course=i.course_title, due_on=i.due_on) for i in digest.items]
    context = dict(
        name=digest.name,
        agency=agency.name,
        items=items,
        matrix_url=public_url("supervise.matrix", overdue="1"),
        settings_url=public_url("learn.email_settings"),
    )
    return Outgoing(
        DIGEST,
        agency.id,
        digest.user_id,
        _render(digest.email, digest.subject, "email/digest", context),
        digest.records,
        tuple(f"{i.person_name}, {i.team_name}: {i.course_title} (due {i.due_on.isoformat()})" for i in digest.items),
    )


def _render(to: str, subject: str, template: str, context: dict) -> Mail:
    return Mail(to, subject, render_template(f"{template}.txt", **context), render_template(f"{template}.html", **context))


def queue(outgoing: list[Outgoing]) -> int:
    """Put every mail in the outbox and record it as sent, in the caller's transaction: a
    reminder is either queued and remembered, or neither (the next run queues it then)."""
    for item in outgoing:
        outbox.queue(item.mail, item.kind, item.agency_id, item.user_id)
    db.session.add_all(
        SentReminder(user_id=item.user_id, kind=kind, key=key) for item in outgoing for kind, key in item.records
    )
    db.session.flush()
    return len(outgoing)


def set_digest_wanted(user: User, wanted: bool) -> None:
    user.digest_opt_out = not wanted
    db.session.flush()
