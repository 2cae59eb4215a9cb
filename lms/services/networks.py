"""Networks of agencies: who runs them, which agencies joined, and the totals their admins see.

Network admins belong to no agency. What they read of an agency is counted here, in a
fixed handful of queries, and handed to lms.domain.network_totals, which hides small figures.
Nothing here returns a name, an email or anything a person wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.domain.agencies import is_slug, slugify
from lms.domain.assignments import Person
from lms.domain.network_totals import CompletionFact, Report, build_report, requirement_facts
from lms.domain.roles import NETWORK_ADMIN
from lms.extensions import db
from lms.models import (
    Agency,
    Assignment,
    CourseCompletion,
    Network,
    NetworkMembership,
    User,
    UserRole,
    network_admins,
    utcnow,
)
from lms.services import audit
from lms.services.accounts import AccountError, create_user, normalize_email
from lms.services.assignments import rule_of
from lms.services.invalid_input import InvalidInput

INVITED, MEMBER, DECLINED, LEFT, REMOVED = "invited", "member", "declined", "left", "removed"


class NetworkError(ValueError):
    """Something asked of the networks commands that cannot be done: safe to show."""


# The command line


def create_network(name: str, slug: str | None = None) -> Network:
    name = " ".join((name or "").split())
    if not name:
        raise NetworkError("the network needs a name")
    slug = slug.strip() if slug else slugify(name)
    if not is_slug(slug):
        raise NetworkError(f"{slug!r} is not a slug: use lower-case letters, digits and dashes")
    if db.session.scalar(sa.select(Network.id).where(Network.slug == slug)) is not None:
        raise NetworkError(f"the slug {slug!r} is taken by another network: choose one with --slug")
    network = Network(name=name, slug=slug)
    db.session.add(network)
    db.session.flush()
    return network


def network_with_slug(slug: str) -> Network:
    network = db.session.scalar(sa.select(Network).where(Network.slug == (slug or "").strip()))
    if network is None:
        raise NetworkError(f"there is no network with the slug {slug!r} (`flask networks list` shows them)")
    return network


def add_network_admin(network: Network, email: str, name: str | None, password: str | None) -> User:
    """Give a network an admin: a new account belonging to no agency, or an existing network admin."""
    existing = db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if existing is None:
        if not name:
            raise NetworkError("a new network admin needs a name (--name)")
        try:
            existing = create_user(None, email, name, {NETWORK_ADMIN}, password)
        except AccountError as error:
            raise NetworkError(str(error)) from error
    elif existing.agency_id is not None or not existing.has_role(NETWORK_ADMIN):
        raise NetworkError(f"{existing.email} belongs to an agency: a network admin must have an account of their own")
    if existing not in network.admins:
        network.admins.append(existing)
    db.session.flush()
    return existing


# The network admin's side


def networks_of(admin: User) -> list[Network]:
    return list(
        db.session.scalars(
            sa.select(Network)
            .join(network_admins, network_admins.c.network_id == Network.id)
            .where(network_admins.c.user_id == admin.id)
            .order_by(Network.name)
        )
    )


def network_for(admin: User, network_id: int) -> Network | None:
    """The network, when this person runs it (None: the caller answers 404)."""
    return db.session.scalar(
        sa.select(Network)
        .join(network_admins, network_admins.c.network_id == Network.id)
        .where(Network.id == network_id, network_admins.c.user_id == admin.id)
    )


def memberships_of(network: Network) -> list[NetworkMembership]:
    """Every agency the network invited, with its answer, by agency name."""
    return list(
        db.session.scalars(
            sa.select(NetworkMembership)
            .join(Agency, Agency.id == NetworkMembership.agency_id)
            .where(NetworkMembership.network_id == network.id)
            .options(so.contains_eager(NetworkMembership.agency))
            .order_by(Agency.name)
        )
    )


def member_agencies(network: Network) -> list[tuple[int, str]]:
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(Agency.id, Agency.name)
            .join(NetworkMembership, NetworkMembership.agency_id == Agency.id)
            .where(NetworkMembership.network_id == network.id, NetworkMembership.status == MEMBER)
            .order_by(Agency.name)
        )
    ]


def invite(network: Network, actor: User, agency_slug: str) -> NetworkMembership:
    """Invite the agency with this slug (lower case). Raises InvalidInput."""
    agency = db.session.scalar(sa.select(Agency).where(Agency.slug == agency_slug))
    if agency is None:
        raise InvalidInput({"slug": "No agency has that short name (slug). Ask the agency's admin for it."})
    membership = _membership(network.id, agency.id)
    if membership is not None and membership.status in (INVITED, MEMBER):
        raise InvalidInput({"slug": f"{agency.name} is already {'invited' if membership.status == INVITED else 'a member'}."})
    if membership is None:
        membership = NetworkMembership(network_id=network.id, agency_id=agency.id)
        db.session.add(membership)
    membership.status, membership.invited_by_id = INVITED, actor.id
    membership.invited_at = membership.changed_at = utcnow()
    audit.record(agency.id, actor.id, "network.invite", network.name)
    db.session.flush()
    return membership


def remove(network: Network, actor: User, agency_id: int) -> NetworkMembership | None:
    """The network stops counting an agency (or withdraws its invitation). None: not invited."""
    membership = _membership(network.id, agency_id)
    if membership is None or membership.status not in (INVITED, MEMBER):
        return None
    action = "network.withdraw" if membership.status == INVITED else "network.remove"
    _set_status(membership, REMOVED)
    audit.record(agency_id, actor.id, action, network.name)
    return membership


# The agency admin's side


def networks_of_agency(agency_id: int) -> list[NetworkMembership]:
    """The agency's invitations and networks, newest first (declined and left ones too)."""
    return list(
        db.session.scalars(
            sa.select(NetworkMembership)
            .where(NetworkMembership.agency_id == agency_id)
            .options(so.joinedload(NetworkMembership.network))
            .order_by(NetworkMembership.changed_at.desc())
        )
    )


def answer(agency_id: int, actor: User, network_id: int, accept: bool) -> NetworkMembership | None:
    """Accept or decline an open invitation. None: there is none (the caller answers 404)."""
    membership = _membership(network_id, agency_id)
    if membership is None or membership.status != INVITED:
        return None
    _set_status(membership, MEMBER if accept else DECLINED)
    audit.record(agency_id, actor.id, "network.accept" if accept else "network.decline", membership.network.name)
    return membership


def leave(agency_id: int, actor: User, network_id: int) -> NetworkMembership | None:
    membership = _membership(network_id, agency_id)
    if membership is None or membership.status != MEMBER:
        return None
    _set_status(membership, LEFT)
    audit.record(agency_id, actor.id, "network.leave", membership.network.name)
    return membership


def _membership(network_id: int, agency_id: int) -> NetworkMembership | None:
    return db.session.scalar(
        sa.select(NetworkMembership).where(NetworkMembership.network_id == network_id, NetworkMembership.agency_id == agency_id)
    )


def _set_status(membership: NetworkMembership, status: str) -> None:
    membership.status, membership.changed_at = status, utcnow()
    db.session.flush()


# The totals


@dataclass(frozen=True)
class TotalsFilters:
    """Which totals to show: a year's, and of one member agency or one course if given."""

    year: int
    agency: int | None = None
    course: str | None = None


def report(network: Network, courses: list[tuple[str, str]], today: date, filters: TotalsFilters) -> Report:
    """The network's totals for a year, cut by the filters; built from member agencies only.

    courses: (slug, title) of the shared courses, the only ones agencies have in common.
    """
    year = filters.year
    agencies = member_agencies(network)
    agency_ids = [agency_id for agency_id, _ in agencies]
    slugs = [slug for slug, _ in courses]
    months = 12 if year < today.year else today.month if year == today.year else 0
    return build_report(
        agencies=agencies,
        courses=courses,
        year=year,
        months=months,
        requirements=_requirements(agency_ids, slugs, today) if agency_ids else (),
        completions=completion_facts(agency_ids, slugs, year) if agency_ids and months else (),
        agency=filters.agency,
        course=filters.course,
    )


def _requirements(agency_ids, slugs, today):
    """Four reads, whatever the number of people: people, their roles, the rules, completions."""
    people = db.session.execute(
        sa.select(User.id, User.agency_id, User.team_id, User.joined_on).where(User.agency_id.in_(agency_ids), User.active)
    ).all()
    roles: dict[int, set[str]] = {}
    for user_id, role in db.session.execute(
        sa.select(UserRole.user_id, UserRole.role)
        .join(User, User.id == UserRole.user_id)
        .where(User.agency_id.in_(agency_ids), User.active)
    ):
        roles.setdefault(user_id, set()).add(role)
    rules: dict[int, list] = {}
    for row in db.session.scalars(sa.select(Assignment).where(Assignment.agency_id.in_(agency_ids), Assignment.course_slug.in_(slugs))):
        rules.setdefault(row.agency_id, []).append(rule_of(row))
    completed_on = {
        (user_id, slug): moment.date()
        for user_id, slug, moment in db.session.execute(
            sa.select(CourseCompletion.user_id, CourseCompletion.course_slug, sa.func.max(CourseCompletion.completed_at))
            .join(User, User.id == CourseCompletion.user_id)
            .where(
                User.agency_id.in_(agency_ids), User.active, CourseCompletion.voided_at.is_(None), CourseCompletion.course_slug.in_(slugs)
            )
            .group_by(CourseCompletion.user_id, CourseCompletion.course_slug)
        )
    }
    persons = (
        (agency_id, Person(user_id, team_id, frozenset(roles.get(user_id, ())), joined_on))
        for user_id, agency_id, team_id, joined_on in people
    )
    return list(requirement_facts(persons, rules, completed_on, slugs, today))


def completion_facts(agency_ids, slugs, year) -> list[CompletionFact]:
    """Completions and hours per person, course and UTC month of the year, counted by the database."""
    completed_at = CourseCompletion.completed_at
    if db.session.get_bind().dialect.name == "postgresql":
        completed_at = sa.func.timezone("UTC", completed_at)  # extract() would read the session's time zone
    month = sa.extract("month", completed_at)
    start, end = datetime(year, 1, 1, tzinfo=timezone.utc), datetime(year + 1, 1, 1, tzinfo=timezone.utc)
    rows = db.session.execute(
        sa.select(
            CourseCompletion.user_id,
            User.agency_id,
            CourseCompletion.course_slug,
            month,
            sa.func.count(),
            sa.func.sum(CourseCompletion.ce_hours),
        )
        .join(User, User.id == CourseCompletion.user_id)
        .where(
            User.agency_id.in_(agency_ids),
            CourseCompletion.voided_at.is_(None),
            CourseCompletion.course_slug.in_(slugs),
            CourseCompletion.completed_at >= start,
            CourseCompletion.completed_at < end,
        )
        .group_by(CourseCompletion.user_id, User.agency_id, CourseCompletion.course_slug, month)
    )
    return [
        CompletionFact(user_id, agency_id, slug, int(month_number), count, float(hours or 0))
        for user_id, agency_id, slug, month_number, count, hours in rows
    ]
