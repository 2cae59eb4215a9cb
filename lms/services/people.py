"""People and teams of one agency, changed by its admins. Every change is audit-logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.domain.roles import ADMIN, ROLES, SUPERVISOR
from lms.domain.user_import import MAX_NAME_LENGTH, clean_email, role_list
from lms.extensions import db
from lms.models import Agency, Team, User, utcnow
from lms.services import audit
from lms.services.invalid_input import InvalidInput

LIST_LIMIT = 500


class TeamError(ValueError):
    """Bad input for a team: the message is safe to show."""


@dataclass(frozen=True)
class PersonValues:
    name: str
    email: str
    roles: frozenset[str]
    team: Team | None
    supervised_teams: tuple[Team, ...]
    joined_on: date


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


def checked_values(agency: Agency, actor: User, form, person: User | None = None) -> PersonValues:
    """Read the person form (a MultiDict); InvalidInput names every field that is wrong."""
    errors = {}
    name = (form.get("name") or "").strip()
    if not name:
        errors["name"] = "Enter the person’s name."
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = f"Keep the name under {MAX_NAME_LENGTH} characters."
    email = _checked_email(form.get("email"), agency.id, person, errors)
    roles = frozenset(form.getlist("roles"))
    if not roles:
        errors["roles"] = "Choose at least one role."
    elif not roles <= set(ROLES):
        errors["roles"] = "Choose roles from the list."
    elif person is not None and person.id == actor.id and ADMIN in person.roles and ADMIN not in roles:
        errors["roles"] = "You cannot remove the admin role from your own account. Ask another admin to do it."
    # A deactivated team stays possible only where it is already chosen, so saving loses nothing.
    teams = {team.id: team for team in agency_teams(agency.id)}
    current_ids = {person.team_id, *(t.id for t in person.supervised_teams)} if person else set()
    usable = {team_id: team for team_id, team in teams.items() if team.active or team_id in current_ids}
    team = None
    if form.get("team"):
        team = usable.get(_as_id(form.get("team")))
        if team is None:
            errors["team"] = "Choose a team from the list."
    supervised = [usable.get(team_id) for team_id in dict.fromkeys(map(_as_id, form.getlist("supervised_teams")))]
    if None in supervised:
        errors["supervised_teams"] = "Choose teams from the list."
    elif supervised and SUPERVISOR not in roles:
        errors["supervised_teams"] = "Only supervisors supervise teams. Tick the supervisor role, or untick the teams."
    try:
        joined_on = date.fromisoformat((form.get("joined_on") or "").strip())
    except ValueError:
        errors["joined_on"] = "Enter the date they joined as year-month-day, for example 2025-03-14."
    if errors:
        raise InvalidInput(errors)
    return PersonValues(name, email, roles, team, tuple(supervised), joined_on)


def _checked_email(text: str | None, agency_id: int, person: User | None, errors: dict[str, str]) -> str:
    try:
        email = clean_email(text or "")
    except ValueError as error:
        errors["email"] = str(error)
        return ""
    holder = db.session.scalar(sa.select(User).where(User.email == email))
    if holder is not None and holder is not person:
        errors["email"] = (
            "Another person in your agency already has this email."
            if holder.agency_id == agency_id
            else "This email belongs to an account in another agency."
        )
    return email


def _as_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def create_person(agency: Agency, actor: User, form) -> User:
    person = add_person(agency, actor, checked_values(agency, actor, form))
    db.session.flush()
    return person


def update_person(person: User, actor: User, form) -> None:
    change_person(person, actor, checked_values(person.agency, actor, form, person))
    db.session.flush()


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
    audit.record(
        agency.id,
        actor and actor.id,
        "person.create",
        person.email,
        name=person.name,
        roles=role_list(person.roles),
        team=values.team and values.team.name,
        supervised_teams=_team_names(values.supervised_teams),
        joined_on=values.joined_on.isoformat(),
    )
    return person


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


def _checked_team_name(agency_id: int, name: str, team: Team | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise TeamError("Enter a name for the team.")
    if len(name) > MAX_NAME_LENGTH:
        raise TeamError(f"Keep the team name under {MAX_NAME_LENGTH} characters.")
    clash = db.session.scalar(sa.select(Team).where(Team.agency_id == agency_id, sa.func.lower(Team.name) == name.lower()))
    if clash is not None and clash is not team:
        raise TeamError(f"There is already a team called “{clash.name}”.")
    return name


def create_team(agency: Agency, actor: User, name: str) -> Team:
    team = Team(agency_id=agency.id, name=_checked_team_name(agency.id, name))
    db.session.add(team)
    db.session.flush()
    audit.record(agency.id, actor.id, "team.create", team.name)
    return team


def update_team(team: Team, actor: User, name: str, supervisor_ids: list[str]) -> None:
    """Rename the team and set who supervises it (from supervisor_choices only)."""
    new_name = _checked_team_name(team.agency_id, name, team)
    choices = {str(user.id): user for user in supervisor_choices(team)}
    supervisor_ids = list(dict.fromkeys(supervisor_ids))
    if not set(supervisor_ids) <= set(choices):
        raise TeamError("Choose supervisors from the list.")
    changes = {}
    if new_name != team.name:
        changes["name"] = {"from": team.name, "to": new_name}
        team.name = new_name
    before = sorted(user.email for user in team.supervisors)
    team.supervisors = [choices[user_id] for user_id in supervisor_ids]
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
