"""Renewal reminders: a learner whose renewal period ends within 90 (then 30) days with hours
still short is told once per threshold; so is each supervisor of their team who asked to be.

They go out with the other reminders (lms.services.reminders) and are remembered the same way.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from lms.domain.renewal import RENEWAL, RenewalNotice, renewal_notices
from lms.domain.roles import SUPERVISOR
from lms.extensions import db
from lms.models import Agency, LearnerCertification, Team, User, team_supervisors
from lms.public_urls import public_url
from lms.services import renewal


def outgoing(agency: Agency, today: date, sent: set, outgoing_type, render) -> list:
    """The agency's renewal reminders as the reminder service's Outgoing mails.

    outgoing_type and render are lms.services.reminders' Outgoing and _render, passed in so this
    module adds to the reminder machinery without the two importing each other."""
    certifications = list(
        db.session.scalars(
            sa.select(LearnerCertification)
            .join(User, User.id == LearnerCertification.user_id)
            .where(User.agency_id == agency.id, User.active)
            .order_by(LearnerCertification.id)
        )
    )
    if not certifications:  # one query for an agency that does not use the tracker
        return []
    found = renewal.progress_of_people({c.user_id for c in certifications}, today, certifications)
    items = [
        (user_id, certification.id, certification.template.name, progress)
        for user_id, rows in found.items()
        for certification, progress in rows
    ]
    notices = renewal_notices(items, sent, today)
    if not notices:
        return []
    supervision = _supervision(agency)
    # Only the people a mail is for or about: the learners told, and the supervisors who may be.
    learners = _active_people(agency.id, {notice.user_id for notice in notices} | set(supervision))
    url = public_url("renewal.my_certifications")
    mails = []
    for notice in notices:
        learner = learners[notice.user_id]
        mails.append(
            outgoing_type(
                "reminder",
                agency.id,
                learner.id,
                render(
                    learner.email,
                    _subject(notice),
                    "email/renewal_short",
                    dict(name=learner.name, agency=agency.name, notice=notice, progress=notice.found, url=url, for_supervisor=False),
                ),
                notice.records,
                (f"renewal: {notice.certification_name} ends {notice.found.period.ends_on.isoformat()}",),
            )
        )
    for supervisor, notice in _supervisor_notices(supervision, notices, learners, sent):
        learner = learners[notice.user_id]
        mails.append(
            outgoing_type(
                "reminder",
                agency.id,
                supervisor.id,
                render(
                    supervisor.email,
                    f"Renewal at risk on your team: {learner.name}",
                    "email/renewal_short",
                    dict(
                        name=supervisor.name,
                        agency=agency.name,
                        notice=notice,
                        learner_name=learner.name,
                        url=public_url("supervise.matrix"),
                        for_supervisor=True,
                    ),
                ),
                ((RENEWAL, f"{notice.key}:{learner.id}"),),
                (f"renewal at risk: {learner.name}, ends {notice.found.period.ends_on.isoformat()}",),
            )
        )
    return mails


def _subject(notice: RenewalNotice) -> str:
    ends_on = notice.found.period.ends_on
    return f"Your {notice.certification_name} renewal period ends on {ends_on:%B} {ends_on.day}: hours still to earn"


def _supervision(agency: Agency) -> dict[int, set[int]]:
    """{supervisor's user id: ids of the active teams they supervise} in the agency."""
    links = db.session.execute(
        sa.select(team_supervisors.c.user_id, team_supervisors.c.team_id)
        .join(Team, Team.id == team_supervisors.c.team_id)
        .where(Team.agency_id == agency.id, Team.active)
    )
    teams_of: dict[int, set[int]] = {}
    for user_id, team_id in links:
        teams_of.setdefault(user_id, set()).add(team_id)
    return teams_of


def _active_people(agency_id: int, user_ids: set[int]) -> dict[int, User]:
    """The active people of the agency among these ids, with their roles (one statement for the roles)."""
    if not user_ids:
        return {}
    query = sa.select(User).where(User.agency_id == agency_id, User.active, User.id.in_(sorted(user_ids)))
    return {user.id: user for user in db.session.scalars(query)}


def _supervisor_notices(supervision: dict[int, set[int]], notices, people: dict, sent: set):
    """(supervisor, notice) for supervisors who asked for renewal alerts, about their own teams only."""
    for supervisor_id, team_ids in sorted(supervision.items()):
        supervisor = people.get(supervisor_id)
        if supervisor is None or not supervisor.renewal_alerts_wanted or not supervisor.has_role(SUPERVISOR):
            continue
        for notice in notices:
            learner = people[notice.user_id]
            key = f"{notice.key}:{learner.id}"
            if learner.team_id in team_ids and learner.id != supervisor.id and (supervisor.id, RENEWAL, key) not in sent:
                yield supervisor, notice


def set_alerts_wanted(supervisor: User, wanted: bool) -> None:
    supervisor.renewal_alerts_wanted = wanted
    db.session.flush()
