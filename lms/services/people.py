"""People and teams of one agency, changed by its admins. Every change is audit-logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.domain.roles import ADMIN, SUPERVISOR
from lms.domain.user_import import role_list
from lms.extensions import db
from lms.models import Agency, Team, User, UserRole, utcnow
from lms.services import audit
from lms.services.bulk_insert import insert_rows
from lms.services.invalid_input import InvalidInput

LIST_LIMIT = 500


@dataclass(frozen=True)
class PersonValues:
    """A person's fields as checked values: the email clean, the teams this agency's."""

    name: str
    email: str
    roles: frozenset[str]
    team: Team | None
    supervised_teams: tuple[Team, ...]
    joined_on: date


@dataclass(frozen=True)
class AddedPerson:
    """Someone add_people wrote: what their invitation needs, without loading them back."""

    id: int
    agency_id: int
    email: str
    name: str


@dataclass(frozen=True)
class TeamValues:
    """A team's name, without the spaces around it, and who supervises it (from supervisor_choices)."""

    name: str
    supervisors: tuple[User, ...] = ()


# Finding


def agency_people(agency_id: int, search: str = "") -> list[User]:
    query = sa.select(User).where(User.agency_id == agency_id, User.erased_at.is_(None)).options(so.joinedload(User.team))
    if search:
        needle = search.strip().lower()
        query = query.where(
            sa.or_(sa.func.lower(User.name).contains(needle, autoescape=True), User.email.contains(needle, autoescape=True))
        )
    return list(db.session.scalars(query.order_by(sa.func.lower(User.name), User.id).limit(LIST_LIMIT)))


def agency_person(agency_id: int, user_id: int) -> User | None:
    return db.session.scalar(
        sa.select(User)
        .where(User.id == user_id, User.agency_id == agency_id, User.erased_at.is_(None))
        .options(so.joinedload(User.team), so.selectinload(User.supervised_teams))
    )


def agency_teams(agency_id: int) -> list[Team]:
    return list(
        db.session.scalars(
            sa.select(Team).where(Team.agency_id == agency_id).options(so.selectinload(Team.supervisors)).order_by(Team.name)
        )
    )


def active_teams(agency_id: int) -> list[Team]:
    """The teams a course can be assigned to, by name."""
    return list(db.session.scalars(sa.select(Team).where(Team.agency_id == agency_id, Team.active).order_by(Team.name)))


def active_people(agency_id: int) -> list[User]:
    """The people a course can be assigned to, by name."""
    return list(db.session.scalars(sa.select(User).where(User.agency_id == agency_id, User.active).order_by(User.name)))


def agency_team(agency_id: int, team_id: int) -> Team | None:
    return db.session.scalar(
        sa.select(Team).where(Team.id == team_id, Team.agency_id == agency_id).options(so.selectinload(Team.supervisors))
    )


def team_members(team: Team) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.team_id == team.id).order_by(sa.func.lower(User.name))))


def member_counts(agency_id: int) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(User.team_id, sa.func.count()).where(User.agency_id == agency_id, User.active).group_by(User.team_id)
    )
    return {team_id: count for team_id, count in rows}


def supervisor_choices(team: Team) -> list[User]:
    """Active supervisors of the agency, and anyone already supervising this team."""
    current = {user.id for user in team.supervisors}
    query = sa.select(User).where(
        User.agency_id == team.agency_id,
        sa.or_(User.id.in_(current), sa.and_(User.active, User.role_rows.any(role=SUPERVISOR))),
    )
    return list(db.session.scalars(query.order_by(sa.func.lower(User.name))))


# People


def usable_teams(agency_id: int, person: User | None = None) -> list[Team]:
    """The teams a person can be put in or supervise, by name: the active ones, and those they
    already have (a deactivated team stays possible only there, so saving loses nothing)."""
    current = {person.team_id, *(team.id for team in person.supervised_teams)} - {None} if person else set()
    return list(
        db.session.scalars(
            sa.select(Team).where(Team.agency_id == agency_id, sa.or_(Team.active, Team.id.in_(current))).order_by(Team.name)
        )
    )


def create_person(agency: Agency, actor: User, values: PersonValues) -> User:
    """Add someone from the person form. Raises InvalidInput."""
    _check_person(agency.id, actor, values)
    person = add_person(agency, actor, values)
    db.session.flush()
    return person


def update_person(person: User, actor: User, values: PersonValues) -> None:
    """Save the person form. Raises InvalidInput."""
    _check_person(person.agency_id, actor, values, person)
    change_person(person, actor, values)
    db.session.flush()


def _check_person(agency_id: int, actor: User, values: PersonValues, person: User | None = None) -> None:
    """What the form cannot see alone: who else has the email, and whose admin role it is."""
    errors = {}
    holder = db.session.scalar(sa.select(User).where(User.email == values.email))
    if holder is not None and holder is not person:
        errors["email"] = (
            "Another person in your agency already has this email."
            if holder.agency_id == agency_id
            else "This email belongs to an account in another agency."
        )
    if person is not None and person.id == actor.id and ADMIN in person.roles and ADMIN not in values.roles:
        errors["roles"] = "You cannot remove the admin role from your own account. Ask another admin to do it."
    if errors:
        raise InvalidInput(errors)


def add_person(agency: Agency, actor: User | None, values: PersonValues) -> User:
    """A new person with no password yet: they choose one through their invitation.

    The values are already checked. No flush here, so an import of thousands writes in a
    few batched statements.
    """
    person = User(
        agency=agency,
        email=values.email,
        name=values.name,
        team=values.team,
        joined_on=values.joined_on,
        supervised_teams=list(values.supervised_teams),
    )
    person.set_roles(values.roles)
    db.session.add(person)
    audit.record(agency.id, actor and actor.id, "person.create", person.email, **_added_details(values))
    return person


def add_people(agency: Agency, actor: User | None, many: list[PersonValues]) -> list[AddedPerson]:
    """What add_person does for each, in a few batched INSERTs of people, roles and audit
    events: an ORM object graph per person made a 5,000-line import several times slower.

    For people who supervise no team yet (an import links supervisors afterwards).
    """
    added = insert_rows(
        User,
        [
            {
                "agency_id": agency.id,
                "email": values.email,
                "name": values.name,
                "team_id": values.team and values.team.id,
                "joined_on": values.joined_on,
            }
            for values in many
        ],
        "id",
        "email",
    )
    ids = {email: person_id for person_id, email in added}
    insert_rows(UserRole, [{"user_id": ids[values.email], "role": role} for values in many for role in sorted(values.roles)])
    audit.record_many(agency.id, actor and actor.id, "person.create", [(values.email, _added_details(values)) for values in many])
    return [AddedPerson(ids[values.email], agency.id, values.email, values.name) for values in many]


def _added_details(values: PersonValues) -> dict:
    return {
        "name": values.name,
        "roles": role_list(values.roles),
        "team": values.team and values.team.name,
        "supervised_teams": _team_names(values.supervised_teams),
        "joined_on": values.joined_on.isoformat(),
    }


def change_person(person: User, actor: User | None, values: PersonValues) -> None:
    """Apply the checked values; audit-log each field that changed, as from/to."""
    supervised = list(values.supervised_teams) if SUPERVISOR in values.roles else []
    before = _person_fields(person)
    person.name, person.email, person.team, person.joined_on = values.name, values.email, values.team, values.joined_on
    person.set_roles(values.roles)
    person.supervised_teams = supervised
    after = _person_fields(person)
    changes = {key: {"from": before[key], "to": after[key]} for key in before if before[key] != after[key]}
    if changes:
        audit.record(person.agency_id, actor and actor.id, "person.update", person.email, changes=changes)


def _person_fields(person: User) -> dict:
    return {
        "name": person.name,
        "email": person.email,
        "roles": role_list(person.roles),
        "team": person.team.name if person.team else None,
        "supervised_teams": _team_names(person.supervised_teams),
        "joined_on": person.joined_on.isoformat() if person.joined_on else None,
    }


def _team_names(teams) -> list[str]:
    return sorted(team.name for team in teams)


def set_person_active(person: User, actor: User, active: bool) -> None:
    if person.id == actor.id and not active:
        raise InvalidInput({"active": "You cannot deactivate your own account. Ask another admin to do it."})
    if person.active == active:
        return
    person.active = active
    person.deactivated_at = None if active else utcnow()  # the private-writing retention clock
    if not active:
        person.end_sessions()
    audit.record(person.agency_id, actor.id, "person.reactivate" if active else "person.deactivate", person.email)
    db.session.flush()


def add_supervised_team(supervisor: User, team: Team, actor: User | None) -> None:
    if team in supervisor.supervised_teams:
        return
    before = _team_names(supervisor.supervised_teams)
    supervisor.supervised_teams.append(team)
    audit.record(
        team.agency_id,
        actor and actor.id,
        "person.update",
        supervisor.email,
        changes={"supervised_teams": {"from": before, "to": _team_names(supervisor.supervised_teams)}},
    )


# Teams


def _check_team_name(agency_id: int, name: str, team: Team | None = None) -> None:
    clash = db.session.scalar(sa.select(Team).where(Team.agency_id == agency_id, sa.func.lower(Team.name) == name.lower()))
    if clash is not None and clash is not team:
        raise InvalidInput({"name": f"There is already a team called “{clash.name}”."})


def create_team(agency: Agency, actor: User, name: str) -> Team:
    """A new team (its supervisors are chosen on its own page, once it exists). Raises InvalidInput."""
    _check_team_name(agency.id, name)
    team = Team(agency_id=agency.id, name=name)
    db.session.add(team)
    db.session.flush()
    audit.record(agency.id, actor.id, "team.create", team.name)
    return team


def update_team(team: Team, actor: User, values: TeamValues) -> None:
    """Rename the team and set who supervises it. Raises InvalidInput."""
    _check_team_name(team.agency_id, values.name, team)
    changes = {}
    if values.name != team.name:
        changes["name"] = {"from": team.name, "to": values.name}
        team.name = values.name
    before = sorted(user.email for user in team.supervisors)
    team.supervisors = list(values.supervisors)
    after = sorted(user.email for user in team.supervisors)
    if before != after:
        changes["supervisors"] = {"from": before, "to": after}
    if changes:
        audit.record(team.agency_id, actor.id, "team.update", team.name, changes=changes)
    db.session.flush()


def set_team_active(team: Team, actor: User, active: bool) -> None:
    if team.active == active:
        return
    team.active = active
    audit.record(team.agency_id, actor.id, "team.reactivate" if active else "team.deactivate", team.name)
    db.session.flush()
