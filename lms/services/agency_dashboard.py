"""The admin's front page: a few counts about the agency, each from one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Certificate, Team, User


@dataclass(frozen=True)
class AgencyCounts:
    people: int
    teams: int
    certificates_this_year: int


def agency_counts(agency_id: int, today: date) -> AgencyCounts:
    year_start = datetime(today.year, 1, 1, tzinfo=timezone.utc)
    count = sa.func.count()
    people = db.session.scalar(sa.select(count).select_from(User).where(User.agency_id == agency_id, User.active))
    teams = db.session.scalar(sa.select(count).select_from(Team).where(Team.agency_id == agency_id, Team.active))
    certificates = db.session.scalar(
        sa.select(count)
        .select_from(Certificate)
        .where(Certificate.agency_id == agency_id, Certificate.issued_at >= year_start, Certificate.revoked_at.is_(None))
    )
    return AgencyCounts(people, teams, certificates)
