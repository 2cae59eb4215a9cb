"""Reminder mail: gather each agency's facts in a fixed handful of queries (and three per
batch of its people), write the mails, queue them in the outbox and remember them, in one
transaction. Flushes; the caller commits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import aliased

from lms.domain import reminders
from lms.domain.assignments import Person
from lms.domain.renewal import RENEWAL
from lms.domain.roles import SUPERVISOR
from lms.extensions import db
from lms.mail import Mail
from lms.models import Agency, Certificate, SentReminder, Team, User, UserRole, team_supervisors
from lms.public_urls import public_url
from lms.services import outbox, renewal_reminders
from lms.services.agency_catalog import with_agency_courses
from lms.services.assignments import latest_completions, rules_of
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


PEOPLE_PER_BATCH = 2_000  # people read, planned and written at a time: memory stays flat however many there are
MAILS_PER_FLUSH = 500  # queued mails written to the outbox at a time

# Only the columns the plan needs, with the person's roles as one "peer,supervisor" string, a
# batch at a time after the last id seen (keyset paging: every batch is an index range).
_ROLES = sa.select(sa.func.aggregate_strings(UserRole.role, ",")).where(UserRole.user_id == User.id).scalar_subquery()
PEOPLE_AFTER = (
    sa.select(User.id, User.team_id, User.joined_on, User.name, User.email, User.digest_opt_out, _ROLES.label("roles"))
    .where(User.agency_id == sa.bindparam("agency_id"), User.active, User.id > sa.bindparam("after"))
    .order_by(User.id)
    .limit(sa.bindparam("batch"))
)


def outgoing_mails(catalog, today: date, batch: int = PEOPLE_PER_BATCH) -> Iterator[Outgoing]:
    """Every mail this run should send, agency by agency: learners' reminders, digests, notices
    of certificates about to expire, then renewal reminders.

    A generator: each agency's people are read `batch` at a time, and a batch's reminders are
    yielded before the next batch is read, so the caller can queue them as they come."""
    for agency in db.session.scalars(sa.select(Agency).order_by(Agency.id)).all():
        yield from _agency_mails(agency, with_agency_courses(catalog, agency.id), today, batch)


def _agency_mails(agency: Agency, catalog, today: date, batch: int) -> Iterator[Outgoing]:
    """Six queries per agency (seven with its published courses) and three per batch of its people."""
    titles = {course.slug: course.title for course in catalog}
    team_names = dict(db.session.execute(sa.select(Team.id, Team.name).where(Team.agency_id == agency.id)).all())
    supervised: dict[int, set[int]] = {}
    links = db.session.execute(
        sa.select(team_supervisors.c.user_id, team_supervisors.c.team_id)
        .join(Team, Team.id == team_supervisors.c.team_id)
        .where(Team.agency_id == agency.id, Team.active)
    )
    for user_id, team_id in links:
        supervised.setdefault(user_id, set()).add(team_id)
    rules = rules_of(agency.id)
    sent = _notices_sent(agency.id, today)
    supervisors, overdue = [], []
    for people in _people(agency.id, batch):
        ids = [person.id for person in people]
        learners = []
        for person in people:
            roles = frozenset(person.roles.split(",")) if person.roles else frozenset()
            learners.append(
                reminders.Learner(
                    Person(person.id, person.team_id, roles, person.joined_on),
                    person.name,
                    person.email,
                    team_names.get(person.team_id),
                )
            )
            if person.id in supervised and SUPERVISOR in roles:  # only this agency's active people
                supervisors.append(
                    reminders.Supervisor(person.id, person.name, person.email, frozenset(supervised[person.id]), person.digest_opt_out)
                )
        found, batch_overdue = reminders.learner_reminders(
            learners, rules, latest_completions(ids), titles, _reminders_sent(ids), today, agency.reminder_days_before
        )
        overdue += batch_overdue
        for reminder in found:
            yield _reminder_mail(agency, reminder)
    for digest in reminders.digests(supervisors, overdue, sent, today):
        yield _digest_mail(agency, digest)
    for notice in reminders.expiry_notices(_expiring_certificates(agency.id, today), sent, today, EXPIRY_RENEWAL_DAYS):
        yield _expiry_mail(agency, notice)
    yield from renewal_reminders.outgoing(agency, today, sent, Outgoing, _render)


def _people(agency_id: int, batch: int):
    """The agency's active people, `batch` rows at a time, in order of id."""
    after = 0
    while True:
        people = db.session.execute(PEOPLE_AFTER, {"agency_id": agency_id, "after": after, "batch": batch}).all()
        if people:
            yield people
        if len(people) < batch:
            return
        after = people[-1].id


def _reminders_sent(user_ids: list[int]) -> set[tuple[int, str, str]]:
    """The due-soon and overdue reminders these people were already sent."""
    if not user_ids:
        return set()
    rows = db.session.execute(
        sa.select(SentReminder.user_id, SentReminder.kind, SentReminder.key).where(
            SentReminder.user_id.in_(user_ids), SentReminder.kind.in_((reminders.DUE_SOON, reminders.OVERDUE))
        )
    )
    return {tuple(row) for row in rows}


def _notices_sent(agency_id: int, today: date) -> set[tuple[int, str, str]]:
    """This week's digests, and the expiry and renewal notices already sent to the agency's people."""
    rows = db.session.execute(
        sa.select(SentReminder.user_id, SentReminder.kind, SentReminder.key).where(
            SentReminder.user_id.in_(sa.select(User.id).where(User.agency_id == agency_id, User.active)),
            sa.or_(
                SentReminder.kind.in_((reminders.EXPIRING, RENEWAL)),
                sa.and_(SentReminder.kind == reminders.DIGEST, SentReminder.key == reminders.week_key(today)),
            ),
        )
    )
    return {tuple(row) for row in rows}


def _expiring_certificates(agency_id: int, today: date) -> list[reminders.ExpiringCertificate]:
    """The agency's valid certificates that expire within the notice period, held by active
    people who have not earned the course again since."""
    newer = aliased(Certificate)
    rows = db.session.execute(
        sa.select(
            Certificate.user_id,
            User.name,
            User.email,
            Certificate.course_slug,
            Certificate.course_title,
            Certificate.code,
            Certificate.expires_on,
        )
        .join(User, User.id == Certificate.user_id)
        .where(
            Certificate.agency_id == agency_id,
            User.active,
            Certificate.revoked_at.is_(None),
            Certificate.replaced_by_id.is_(None),
            Certificate.expires_on.is_not(None),
            Certificate.expires_on >= today,
            Certificate.expires_on <= today + timedelta(days=EXPIRY_RENEWAL_DAYS),
            ~sa.exists().where(
                newer.user_id == Certificate.user_id,
                newer.course_slug == Certificate.course_slug,
                newer.completed_on > Certificate.completed_on,
                newer.revoked_at.is_(None),
            ),
        )
    )
    return [reminders.ExpiringCertificate(*row) for row in rows]


def _expiry_mail(agency: Agency, notice: reminders.ExpiringCertificate) -> Outgoing:
    context = dict(
        name=notice.name,
        agency=agency.name,
        course=notice.course_title,
        expires_on=notice.expires_on,
        course_url=public_url("learn.show_course", slug=notice.course_slug),
        verify_url=public_url("verify.verify_code", code=notice.code),
    )
    return Outgoing(
        REMINDER,
        agency.id,
        notice.user_id,
        _render(notice.email, notice.subject, "email/certificate_expiring", context),
        notice.records,
        (f"certificate {notice.code}: {notice.course_title} (expires {notice.expires_on.isoformat()})",),
    )


def _reminder_mail(agency: Agency, reminder: reminders.LearnerReminder) -> Outgoing:
    def listed(courses):
        return [dict(title=c.course_title, due_on=c.due_on, url=public_url("learn.show_course", slug=c.course_slug)) for c in courses]

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


def queue(outgoing: Iterable[Outgoing]) -> Counter:
    """Put every mail in the outbox and record it as sent, in the caller's transaction: a
    reminder is either queued and remembered, or neither (the next run queues it then).

    Takes the mails as they come (outgoing_mails is a generator) and writes them a batch
    at a time, in a few multi-row INSERTs, so the session never holds more than one batch.
    Returns how many of each kind."""
    queued = Counter()
    for item in outgoing:
        db.session.add(outbox.queued_mail(item.mail, item.kind, item.agency_id, item.user_id))
        db.session.add_all(SentReminder(user_id=item.user_id, kind=kind, key=key) for kind, key in item.records)
        queued[item.kind] += 1
        if queued.total() % MAILS_PER_FLUSH == 0:
            db.session.flush()
    db.session.flush()
    return queued


def set_digest_wanted(user: User, wanted: bool) -> None:
    user.digest_opt_out = not wanted
    db.session.flush()
