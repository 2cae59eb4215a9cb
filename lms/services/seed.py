"""Bulk seed data for benchmarks: an agency, its teams, many learners, their lesson progress.

For benchmarks only, never for trying the site out (that is `flask demo load`) and never in
production: every seeded login shares one public password, hashed once. Rows go in a few
thousand learners at a time: teams and people with multi-row INSERTs (SQLAlchemy Core
executemany), roles and progress with COPY on PostgreSQL (executemany elsewhere).

Learner n (from 0) is in team n % teams. The first learner of each team supervises it;
every fifth learner is a clinician; the rest are peers. Each learner has opened up to
PROGRESS_PER_LEARNER consecutive lessons of the courses for their role and finished all
but the last of them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from lms.domain.courses import Catalog
from lms.domain.roles import CLINICIAN, PEER, SUPERVISOR
from lms.extensions import db
from lms.models import LessonProgress, Team, User, UserRole, team_supervisors, utcnow
from lms.passwords import hash_password
from lms.services.accounts import agency_named
from lms.services.demo import database_is_empty

SEED_PASSWORD = "seed-password"  # noqa: S105  (public on purpose: seed data never loads in production)
SEED_AGENCY = "Seeded Agency (benchmarks only)"
LEARNERS_PER_TEAM = 25
PROGRESS_PER_LEARNER = 12
CHUNK = 5_000  # learners per round of inserts


class SeedRefused(RuntimeError):
    pass


@dataclass(frozen=True)
class Seeded:
    learners: int
    teams: int
    progress_rows: int


def seed_email(n: int) -> str:
    return f"learner{n}@seed.example.org"


def role_of(n: int, teams: int) -> str:
    if n < teams:
        return SUPERVISOR
    return CLINICIAN if n % 5 == 4 else PEER


def seed(environment: str, catalog: Catalog, learners: int, teams: int | None = None) -> Seeded:
    _refuse_unless_safe(environment)
    teams = teams or max(1, learners // LEARNERS_PER_TEAM)
    agency = agency_named(SEED_AGENCY)
    team_ids = _insert_returning_ids(Team, [{"agency_id": agency.id, "name": f"Team {t + 1}"} for t in range(teams)])
    lessons = _lessons_by_role(catalog)
    password_hash = hash_password(SEED_PASSWORD)
    rng = random.Random(1)  # noqa: S311  (repeatable benchmark data, not a secret)
    now = utcnow()
    progress_rows = 0
    for start in range(0, learners, CHUNK):
        numbers = range(start, min(start + CHUNK, learners))
        user_ids = _insert_returning_ids(User, [_learner(n, agency.id, team_ids, password_hash, now) for n in numbers])
        roles = [role_of(n, teams) for n in numbers]
        _bulk_insert(UserRole.__table__, [{"user_id": u, "role": r} for u, r in zip(user_ids, roles)])
        supervisors = [{"team_id": team_ids[n], "user_id": u} for n, u in zip(numbers, user_ids) if n < teams]
        _bulk_insert(team_supervisors, supervisors)
        progress = [row for u, r in zip(user_ids, roles) for row in _progress(rng, now, u, lessons[r])]
        _bulk_insert(LessonProgress.__table__, progress)
        progress_rows += len(progress)
    return Seeded(learners, teams, progress_rows)


def _refuse_unless_safe(environment: str) -> None:
    if environment == "production":
        raise SeedRefused("seed data is never loaded in production: its password is public")
    if not database_is_empty():
        raise SeedRefused("the database already has users; seed data is only loaded into an empty one")


def _lessons_by_role(catalog: Catalog) -> dict[str, list[tuple[str, str]]]:
    """(course slug, lesson id) of every lesson in the courses meant for each role."""
    return {
        role: [(c.slug, lesson_id) for c in catalog if c.is_for({role}) for lesson_id in c.lesson_ids]
        for role in (PEER, CLINICIAN, SUPERVISOR)
    }


def _learner(n: int, agency_id: int, team_ids: list[int], password_hash: str, now) -> dict:
    return {
        "agency_id": agency_id,
        "team_id": team_ids[n % len(team_ids)],
        "email": seed_email(n),
        "name": f"Seeded Learner {n}",
        "password_hash": password_hash,
        "active": True,
        "created_at": now,
    }


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    statement = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))


def _bulk_insert(table: sa.Table, rows: list[dict]) -> None:
    """COPY on PostgreSQL (several times faster than INSERT), a multi-row INSERT elsewhere."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(sa.insert(table), rows)
        return
    columns = list(rows[0])
    quote = connection.dialect.identifier_preparer
    sql = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)}) FROM STDIN"
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def _progress(rng: random.Random, now, user_id: int, lessons: list[tuple[str, str]]) -> list[dict]:
    if not lessons:
        return []
    first = rng.randrange(len(lessons))
    count = min(PROGRESS_PER_LEARNER, len(lessons))
    opened = now - timedelta(days=rng.randrange(1, 365))
    rows = []
    for k in range(count):
        slug, lesson_id = lessons[(first + k) % len(lessons)]
        viewed = opened + timedelta(hours=k)
        rows.append(
            {
                "user_id": user_id,
                "course_slug": slug,
                "lesson_id": lesson_id,
                "first_viewed_at": viewed,
                "completed_at": viewed + timedelta(minutes=10) if k < count - 1 else None,
            }
        )
    return rows
