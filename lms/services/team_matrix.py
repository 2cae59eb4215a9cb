"""What a supervisor sees of their teams, in a fixed handful of queries whatever the size."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.domain.assignments import standing
from lms.domain.matrix import Filters, Matrix, Member, build_matrix
from lms.extensions import db
from lms.models import CheckAttempt, LessonProgress, Team, User, team_supervisors
from lms.services.assignments import latest_completions, person_of, requirements_of, rules_of
from lms.services.progress import progress_in_all


def supervised_teams(supervisor: User) -> list[Team]:
    return list(
        db.session.scalars(
            sa.select(Team)
            .join(team_supervisors, team_supervisors.c.team_id == Team.id)
            .where(team_supervisors.c.user_id == supervisor.id, Team.agency_id == supervisor.agency_id, Team.active)
            .order_by(Team.name)
        )
    )


def _member_ids(team_ids):
    return sa.select(User.id).where(User.team_id.in_(team_ids), User.active)


def members_of(teams: list[Team]) -> list[Member]:
    names = {team.id: team.name for team in teams}
    # Roles joined in, so the member list stays one query at any team size.
    users = db.session.scalars(
        sa.select(User).where(User.team_id.in_(list(names)), User.active).options(so.joinedload(User.role_rows)).order_by(User.name)
    ).unique()
    return [Member(person_of(user), user.name, user.email, names[user.team_id]) for user in users]


def progress_counts(team_ids, catalog) -> dict[tuple[int, str], tuple[int, int]]:
    """{(user id, course slug): (lessons completed, lessons opened)}, counting current lessons only."""
    return _progress_counts(_member_ids(team_ids), catalog) if team_ids else {}


def _progress_counts(member_ids, catalog) -> dict[tuple[int, str], tuple[int, int]]:
    lessons = [(course.slug, lesson_id) for course in catalog for lesson_id in course.lesson_ids]
    if not lessons:
        return {}
    rows = db.session.execute(
        sa.select(
            LessonProgress.user_id,
            LessonProgress.course_slug,
            sa.func.count(LessonProgress.completed_at),
            sa.func.count(),
        )
        .where(
            LessonProgress.user_id.in_(member_ids),
            sa.tuple_(LessonProgress.course_slug, LessonProgress.lesson_id).in_(lessons),
        )
        .group_by(LessonProgress.user_id, LessonProgress.course_slug)
    )
    return {(user_id, slug): (done, opened) for user_id, slug, done, opened in rows}


def completion_dates(team_ids) -> dict[tuple[int, str], date]:
    return latest_completions(_member_ids(team_ids)) if team_ids else {}


def team_matrix(supervisor: User, teams: list[Team], catalog, filters: Filters, today: date) -> Matrix:
    team_ids = [team.id for team in teams]
    return build_matrix(
        members_of(teams),
        list(catalog),
        rules_of(supervisor.agency_id),
        progress_counts(team_ids, catalog),
        completion_dates(team_ids),
        today,
        filters,
    )


def agency_matrix(agency_id: int, catalog, today: date) -> Matrix:
    """Every active person of the agency against its required training (the admin's report)."""
    users = db.session.scalars(
        sa.select(User)
        .where(User.agency_id == agency_id, User.active)
        .options(so.joinedload(User.role_rows), so.joinedload(User.team))
        .order_by(User.name)
    ).unique()
    members = [Member(person_of(user), user.name, user.email, user.team.name if user.team else "") for user in users]
    people = sa.select(User.id).where(User.agency_id == agency_id, User.active)
    return build_matrix(
        members, list(catalog), rules_of(agency_id), _progress_counts(people, catalog), latest_completions(people), today, Filters()
    )


def supervised_member(supervisor: User, user_id: int) -> User | None:
    """An active person on one of the supervisor's active teams, or None (the caller answers 404)."""
    return db.session.scalar(
        sa.select(User)
        .join(team_supervisors, team_supervisors.c.team_id == User.team_id)
        .join(Team, Team.id == User.team_id)
        .where(
            User.id == user_id,
            team_supervisors.c.user_id == supervisor.id,
            User.agency_id == supervisor.agency_id,
            User.active,
            Team.active,
        )
    )


def courses_of(learner: User, catalog, today: date) -> list[tuple]:
    """(course, progress, standing) for each course a supervisor sees on a learner's page: the
    courses required of them, and any other they have started."""
    requirements = requirements_of(learner)
    completions = latest_completions([learner.id])
    progress = progress_in_all(learner.id, catalog)
    return [
        (
            course,
            progress[course.slug],
            standing(requirements.get(course.slug), completions.get((learner.id, course.slug)), progress[course.slug].started, today),
        )
        for course in catalog
        if course.slug in requirements or progress[course.slug].started
    ]


def attempts_of(user_id: int) -> list[CheckAttempt]:
    """Scores and dates of a learner's submitted checks (never their answers' text)."""
    return list(
        db.session.scalars(
            sa.select(CheckAttempt)
            .where(CheckAttempt.user_id == user_id, CheckAttempt.submitted_at.is_not(None))
            .order_by(CheckAttempt.submitted_at.desc())
        )
    )
