"""Importing people from a CSV file: check every row first, then write all or nothing.

Between the preview and the confirmation the file travels in the page itself, signed so it
cannot be changed: app servers keep nothing, and any of them can take the confirmation.
It is checked again on confirmation, against the agency as it is then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from lms.domain.roles import SUPERVISOR
from lms.domain.user_import import (
    CREATE,
    Directory,
    FileProblem,
    ImportPlan,
    Person,
    RowPlan,
    emails_named,
    plan_import,
    read_rows,
    read_text,
)
from lms.extensions import db
from lms.models import Agency, Team, User
from lms.services import audit, licences, people

MAX_FILE_NAME_LENGTH = 100


class ImportRefused(Exception):
    """Nothing was written; the preview shows why."""

    def __init__(self, preview: Preview, message: str):
        super().__init__(message)
        self.preview = preview
        self.message = message


@dataclass(frozen=True)
class Upload:
    """A file as sent: its name, and its bytes up to one past MAX_FILE_BYTES."""

    file_name: str
    data: bytes


@dataclass(frozen=True)
class Confirmation:
    """The preview's confirmation: the file as sealed in the preview, and which of its lines to import."""

    sealed: str
    only_valid_rows: bool


@dataclass(frozen=True)
class Preview:
    file_name: str
    plan: ImportPlan
    sealed: str  # the file, signed, for the confirmation form


@dataclass(frozen=True)
class ImportResult:
    created: list[people.AddedPerson]
    updated: list[User]
    skipped: int


def plan_for_text(agency: Agency, actor: User | None, text: str) -> ImportPlan:
    rows = read_rows(text)
    return plan_import(rows, _directory(agency, actor, emails_named(rows)))


def plan_for_file(agency: Agency, actor: User | None, data: bytes) -> ImportPlan:
    return plan_for_text(agency, actor, read_text(data))


def _directory(agency: Agency, actor: User | None, emails: set[str]) -> Directory:
    users = db.session.scalars(sa.select(User).where(User.email.in_(emails)).options(so.joinedload(User.team))).all()
    teams = db.session.scalars(sa.select(Team).where(Team.agency_id == agency.id)).all()
    return Directory(
        teams=[team.name for team in teams if team.active],
        inactive_teams=[team.name for team in teams if not team.active],
        people={
            user.email: Person(user.name, user.roles, user.team.name if user.team else None, user.active)
            for user in users
            if user.agency_id == agency.id
        },
        other_agency_emails=frozenset(user.email for user in users if user.agency_id != agency.id),
        actor_email=actor.email if actor else None,
    )


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="user-import")


def preview_upload(agency: Agency, actor: User, upload: Upload) -> Preview:
    """Check an uploaded file; nothing is written. Raises FileProblem for an unusable file."""
    text = read_text(upload.data)
    # Some browsers send the whole path; the audit log keeps a short name.
    short_name = upload.file_name.replace("\\", "/").rsplit("/", 1)[-1][:MAX_FILE_NAME_LENGTH]
    return _preview(agency, short_name, text, plan_for_text(agency, actor, text))


def _what_happens(plan: ImportPlan) -> list[list]:
    return [[row.line, row.action] for row in plan.valid_rows]


def _preview(agency: Agency, file_name: str, text: str, plan: ImportPlan) -> Preview:
    sealed = _serializer().dumps({"agency": agency.id, "file": file_name, "text": text, "valid": _what_happens(plan)})
    return Preview(file_name, plan, sealed)


def import_previewed(agency: Agency, actor: User, confirmation: Confirmation) -> ImportResult:
    """Write the previewed file: every row, or only its valid rows when the admin chose that.

    Refused, with nothing written, when what would be written is not what the admin saw in
    the preview: someone changed people or teams meanwhile, or the form was sent twice.
    """
    try:
        payload = _serializer().loads(confirmation.sealed)
    except BadSignature as error:
        raise FileProblem("This import form was changed or is incomplete. Upload the file again.") from error
    if payload["agency"] != agency.id:
        raise FileProblem("This import form was made for another agency. Upload the file again.")
    plan = plan_for_text(agency, actor, payload["text"])
    preview = _preview(agency, payload["file"], payload["text"], plan)
    if _what_happens(plan) != payload["valid"]:
        raise ImportRefused(
            preview,
            "Things changed since you saw the preview: maybe this import was already done, or someone changed people "
            "or teams. Nothing was imported this time. Check the new preview below.",
        )
    if plan.has_errors and not confirmation.only_valid_rows:
        raise ImportRefused(preview, "Some lines have errors, so nothing was imported. Fix the file, or import only the valid lines.")
    if not plan.valid_rows:
        raise ImportRefused(preview, "No line can be imported, so nothing was imported.")
    return apply_plan(agency, actor, plan, payload["file"])


def apply_plan(agency: Agency, actor: User | None, plan: ImportPlan, file_name: str) -> ImportResult:
    """Write the plan's valid rows (flush only: the caller commits once, so it is all or nothing).

    New people go in a few batched INSERTs, however many; the updates, licences and
    supervised teams through the ORM, for the few people they touch.
    """
    rows = plan.valid_rows
    teams = {team.name: team for team in db.session.scalars(sa.select(Team).where(Team.agency_id == agency.id))}
    new_people = [
        people.PersonValues(row.name, row.email, row.roles, teams.get(row.team), (), date.today()) for row in rows if row.action == CREATE
    ]
    created = people.add_people(agency, actor, new_people)
    touched = _people_touched(agency, rows)
    updated = []
    for row in rows:
        if row.action != CREATE:
            person = touched[row.email]
            kept = tuple(person.supervised_teams) if SUPERVISOR in row.roles else ()
            people.change_person(
                person, actor, people.PersonValues(row.name, row.email, row.roles, teams.get(row.team), kept, person.joined_on)
            )
            updated.append(person)
        if row.licence:
            licences.record_imported(touched[row.email], actor, row.licence)
    for row in rows:
        if row.supervisor_email:
            people.add_supervised_team(touched[row.supervisor_email], teams[row.team], actor)
    audit.record(
        agency.id,
        actor and actor.id,
        "people.import",
        file_name,
        created=len(created),
        updated=len(updated),
        skipped=len(plan.rows) - len(rows),
    )
    db.session.flush()
    return ImportResult(created, updated, len(plan.rows) - len(rows))


def _people_touched(agency: Agency, rows: list[RowPlan]) -> dict[str, User]:
    """By email, the people (already written) that an update, a licence or a supervised team changes."""
    emails = {row.email for row in rows if row.action != CREATE or row.licence}
    emails |= {row.supervisor_email for row in rows if row.supervisor_email}
    return {
        user.email: user
        for user in db.session.scalars(
            sa.select(User).where(User.agency_id == agency.id, User.email.in_(emails)).options(so.selectinload(User.supervised_teams))
        )
    }
