"""Checking a CSV file of people before anything is written: the rules, without a database.

The file has the columns name,email,roles,team,supervisor_email, and may add
licence_type,licence_number,licence_issuer,licence_expires (one professional credential
per line; a person with two can be on the admin page). Every row becomes a
RowPlan that says create, update or error, with the reasons, so the admin sees all of
it at once and nothing is written until they confirm.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from lms.domain.roles import ADMIN, ROLES, SUPERVISOR

COLUMNS = ("name", "email", "roles", "team", "supervisor_email")
LICENCE_COLUMNS = ("licence_type", "licence_number", "licence_issuer", "licence_expires")  # optional
MAX_FILE_BYTES = 1_000_000
MAX_ROWS = 5_000
MAX_NAME_LENGTH = 200
ROLE_SEPARATOR = ";"

CREATE, UPDATE, ERROR = "create", "update", "error"


class FileProblem(ValueError):
    """The whole file cannot be used; the message is safe to show to the admin."""


@lru_cache(maxsize=20_000)  # an import checks each address twice: to look it up, then in its row
def clean_email(text: str) -> str:
    """The address in lower case; ValueError with a plain reason when it is not one."""
    text = (text or "").strip()
    if not text:
        raise ValueError("The email is missing.")
    try:
        # No internationalized local parts: lms.mail sends without SMTPUTF8.
        return validate_email(text, check_deliverability=False, allow_smtputf8=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValueError(f"“{text}” is not a valid email address. {error}") from error


def parse_roles(text: str) -> tuple[frozenset[str], list[str]]:
    """Roles written like "peer;supervisor": (known roles, unknown words)."""
    words = [word.strip().lower() for word in (text or "").split(ROLE_SEPARATOR) if word.strip()]
    return frozenset(w for w in words if w in ROLES), [w for w in words if w not in ROLES]


def role_list(roles: Iterable[str]) -> list[str]:
    """Roles in the usual order (peer, clinician, supervisor, admin)."""
    return [role for role in ROLES if role in roles]


def read_text(data: bytes) -> str:
    """The file's text: UTF-8 (a byte order mark is fine), at most MAX_FILE_BYTES."""
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(
            f"The file is larger than {MAX_FILE_BYTES // 1_000_000} MB. Split it into smaller files of at most {MAX_ROWS:,} people each."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileProblem(
            f"The file is not saved as UTF-8 text (the first character we cannot read is on line {line}). "
            "In Excel, choose Save As and the type “CSV UTF-8”. In Google Sheets, use File, Download, CSV."
        ) from error
    if not text.strip():
        raise FileProblem("The file is empty.")
    if "\0" in text:  # a spreadsheet's own format (such as .xlsx), not CSV text; databases refuse NUL too
        raise FileProblem("This is not a CSV text file. In your spreadsheet, choose Save As and the type “CSV UTF-8”.")
    return text


@dataclass(frozen=True)
class Row:
    line: int  # as a spreadsheet numbers it: the column names are line 1
    values: Mapping[str, str]
    extra_values: bool = False


def read_rows(text: str) -> list[Row]:
    """The data rows under the header; blank lines are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        _check_header(header)
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise FileProblem(f"The file has more than {MAX_ROWS:,} people. Split it into smaller files.")
            padded = cells + [""] * (len(header) - len(cells))  # a missing last value means empty
            rows.append(Row(reader.line_num, dict(zip(header, padded)), extra_values=len(cells) > len(header)))
    except csv.Error as error:
        raise FileProblem(f"The file cannot be read as CSV (near line {reader.line_num}: {error}).") from error
    if not rows:
        raise FileProblem("The file has the column names but no people under them.")
    return rows


def _check_header(header: list[str]) -> None:
    known = COLUMNS + LICENCE_COLUMNS
    missing = [name for name in COLUMNS if name not in header]
    unexpected = [name or "(empty)" for name in header if name not in known]
    repeated = sorted({name for name in header if name in known and header.count(name) > 1})
    if missing or unexpected or repeated:
        problems = []
        if missing:
            problems.append(f"missing: {', '.join(missing)}")
        if unexpected:
            problems.append(f"not expected: {', '.join(unexpected)}")
        if repeated:
            problems.append(f"more than once: {', '.join(repeated)}")
        raise FileProblem(
            f"The first line must name exactly these columns: {','.join(COLUMNS)} "
            f"(and, if you like, {','.join(LICENCE_COLUMNS)}). This file’s first line has {'; '.join(problems)}."
        )


def emails_named(rows: Iterable[Row]) -> set[str]:
    """Every valid address in the email and supervisor_email columns."""
    emails = set()
    for row in rows:
        for column in ("email", "supervisor_email"):
            try:
                emails.add(clean_email(row.values.get(column, "")))
            except ValueError:
                pass  # the row's own check reports it
    return emails


@dataclass(frozen=True)
class Person:
    """Someone already in the agency, as the import sees them."""

    name: str
    roles: frozenset[str]
    team: str | None
    active: bool = True


@dataclass(frozen=True)
class Directory:
    """What the agency already holds, as far as one file needs to know."""

    teams: Iterable[str] = ()  # names of active teams
    inactive_teams: Iterable[str] = ()
    people: Mapping[str, Person] = field(default_factory=dict)  # by email, this agency only
    other_agency_emails: frozenset[str] = frozenset()
    actor_email: str | None = None  # the admin importing: they cannot remove their own admin role


@dataclass
class RowPlan:
    line: int
    name: str
    email: str
    roles: frozenset[str]
    team: str | None
    supervisor_email: str | None
    action: str = CREATE
    problems: list[str] = field(default_factory=list)
    changes: dict[str, tuple] = field(default_factory=dict)  # field -> (from, to), for updates
    notes: list[str] = field(default_factory=list)
    licence: dict | None = None  # kind, number, issuer, expires_on (ISO date or None)
    team_as_written: str = ""  # shown beside a problem with it, where `team` stays None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def result(self) -> str:
        return self.action if self.ok else ERROR

    def described_changes(self) -> list[str]:
        return [f"{name.capitalize()}: {_shown(before)} → {_shown(after)}" for name, (before, after) in self.changes.items()]

    def details(self) -> list[str]:
        """What happens to this line, in words: the problems, or the changes."""
        if self.problems:
            return list(self.problems)
        if self.action == CREATE:
            lines = ["Added; gets an invitation by email."]
        else:
            lines = self.described_changes() or ["No changes."]
        if self.supervisor_email:
            lines.append(f"{self.supervisor_email} will supervise {self.team}.")
        if self.licence:
            lines.append(f"Licence: {self.licence['kind']} {self.licence['number']}, {self.licence['issuer']}.")
        return lines + self.notes


def _shown(value) -> str:
    if isinstance(value, list):
        value = ", ".join(value)
    return value or "none"


@dataclass(frozen=True)
class ImportPlan:
    rows: list[RowPlan]

    @property
    def valid_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if row.ok]

    @property
    def has_errors(self) -> bool:
        return any(not row.ok for row in self.rows)

    def count(self, result: str) -> int:
        return sum(1 for row in self.rows if row.result == result)


def plan_import(rows: list[Row], directory: Directory) -> ImportPlan:
    teams = {name.lower(): name for name in directory.teams}
    inactive_teams = {name.lower() for name in directory.inactive_teams}
    plans = [_plan_row(row, directory, teams, inactive_teams) for row in rows]
    _mark_repeated_emails(plans)
    _check_supervisors(plans, directory)
    return ImportPlan(plans)


def _plan_row(row: Row, directory: Directory, teams: dict[str, str], inactive_teams: set[str]) -> RowPlan:
    values = {name: (row.values.get(name) or "").strip() for name in COLUMNS}
    roles, unknown_roles = parse_roles(values["roles"])
    plan = RowPlan(
        row.line, values["name"], values["email"], roles, None, values["supervisor_email"].lower() or None, team_as_written=values["team"]
    )
    # Each check adds to one list, so the problems read in the order of the columns.
    problems = plan.problems
    if row.extra_values:
        problems.append("This line has more values than there are columns. Put a name that has a comma in double quotes.")
    _check_name(plan.name, problems)
    plan.email = _email(values["email"], problems)
    _check_roles(roles, unknown_roles, problems)
    plan.team = _team(values["team"], teams, inactive_teams, problems)
    plan.supervisor_email = _supervisor_email(plan.supervisor_email, values["team"], problems)
    plan.licence = _licence(row, problems)
    if plan.email in directory.other_agency_emails:
        problems.append("This email belongs to an account in another agency.")
    existing = directory.people.get(plan.email)
    if existing is not None:
        _plan_update(plan, existing, directory.actor_email)
    return plan


def _check_name(name: str, problems: list[str]) -> None:
    if not name:
        problems.append("The name is missing.")
    elif len(name) > MAX_NAME_LENGTH:
        problems.append(f"The name is longer than {MAX_NAME_LENGTH} characters.")


def _email(text: str, problems: list[str]) -> str:
    """The clean address, or the text as written when it is not one."""
    try:
        return clean_email(text)
    except ValueError as error:
        problems.append(str(error))
        return text


def _check_roles(roles: frozenset[str], unknown_roles: list[str], problems: list[str]) -> None:
    if unknown_roles:
        problems.append(f"Unknown role: {', '.join(unknown_roles)}. Use {_role_choices()}.")
    elif not roles:
        problems.append(f"The roles are missing. Use one or more of {_role_choices()}, separated by “{ROLE_SEPARATOR}”.")


def _team(written: str, teams: dict[str, str], inactive_teams: set[str], problems: list[str]) -> str | None:
    """The active team named (any case), or None."""
    if not written:
        return None
    team = teams.get(written.lower())
    if team is None:
        problems.append(
            f"The team “{written}” is deactivated."
            if written.lower() in inactive_teams
            else f"There is no team called “{written}”. Check the spelling, or add the team first."
        )
    return team


def _supervisor_email(email: str | None, team_written: str, problems: list[str]) -> str | None:
    """The clean address of the team's supervisor; a supervisor is linked to the team on the same line."""
    if not email:
        return email
    try:
        email = clean_email(email)
    except ValueError as error:
        problems.append(f"Supervisor: {error}")
    if not team_written:
        problems.append("A supervisor_email needs a team on the same line: the supervisor is linked to that team.")
    return email


def _plan_update(plan: RowPlan, existing: Person, actor_email: str | None) -> None:
    """The line names someone already in the agency: what changes for them."""
    plan.action = UPDATE
    plan.changes = _changes(existing, plan)
    if not existing.active:
        plan.notes.append("This person is deactivated and stays deactivated.")
    if plan.email == actor_email and ADMIN in existing.roles and ADMIN not in plan.roles:
        plan.problems.append("You cannot remove the admin role from your own account.")


def _licence(row: Row, problems: list[str]) -> dict | None:
    values = {name: " ".join((row.values.get(name) or "").split()) for name in LICENCE_COLUMNS}
    if not any(values.values()):
        return None
    missing = [name for name in ("licence_type", "licence_number", "licence_issuer") if not values[name]]
    if missing:
        problems.append(f"A licence needs a type, a number and an issuing state or board: {', '.join(missing)} is empty.")
    for name, limit in (("licence_type", 40), ("licence_number", 100), ("licence_issuer", 200)):
        if len(values[name]) > limit:
            problems.append(f"The {name.replace('_', ' ')} is longer than {limit} characters.")
    expires = values["licence_expires"]
    if expires:
        try:
            expires = date.fromisoformat(expires).isoformat()
        except ValueError:
            problems.append(f"The licence_expires “{expires}” is not a date like 2027-03-31.")
    return {
        "kind": values["licence_type"],
        "number": values["licence_number"],
        "issuer": values["licence_issuer"],
        "expires_on": expires or None,
    }


def _role_choices() -> str:
    return ", ".join(ROLES[:-1]) + " or " + ROLES[-1]


def _changes(existing: Person, plan: RowPlan) -> dict[str, tuple]:
    changes = {}
    if plan.name != existing.name:
        changes["name"] = (existing.name, plan.name)
    if plan.roles != existing.roles:
        changes["roles"] = (role_list(existing.roles), role_list(plan.roles))
    if plan.team != existing.team:
        changes["team"] = (existing.team, plan.team)
    return changes


def _mark_repeated_emails(plans: list[RowPlan]) -> None:
    lines = defaultdict(list)
    for plan in plans:
        if plan.email:
            lines[plan.email].append(plan.line)
    for plan in plans:
        others = [line for line in lines.get(plan.email, []) if line != plan.line]
        if others:
            listed = ", ".join(str(line) for line in others)
            plan.problems.append(f"The same email is also on line {listed}. Keep each person on one line only.")


def _check_supervisors(plans: list[RowPlan], directory: Directory) -> None:
    """A supervisor_email must name a supervisor: in this file, or already in the agency.

    When the supervisor has a row in this file, that row decides their roles, and it must
    itself be free of errors. So an error can spread to the rows that name that person.
    """
    row_of = {plan.email: plan for plan in plans}
    for plan in plans:
        if plan.ok and plan.supervisor_email:
            problem = _supervisor_problem(plan.supervisor_email, row_of.get(plan.supervisor_email), directory)
            if problem:
                plan.problems.append(problem)
    naming = defaultdict(list)
    for plan in plans:
        if plan.supervisor_email in row_of:
            naming[plan.supervisor_email].append(plan)
    # Spread errors to the rows that name a supervisor whose own row has one.
    failed = [plan for plan in plans if not plan.ok]
    while failed:
        supervisor_row = failed.pop()
        for plan in naming.get(supervisor_row.email, []):
            if plan.ok:
                plan.problems.append(f"The supervisor’s own line ({supervisor_row.line}) has an error.")
                failed.append(plan)


def _supervisor_problem(email: str, own_row: RowPlan | None, directory: Directory) -> str | None:
    if own_row is not None:
        if SUPERVISOR not in own_row.roles:
            return f"{email} is not a supervisor: line {own_row.line} does not give them the supervisor role."
        return None
    person = directory.people.get(email)
    if person is None:
        return f"No one in your agency or in this file has the email {email}."
    if SUPERVISOR not in person.roles:
        return f"{email} is not a supervisor. Give them the supervisor role first, or in this file."
    if not person.active:
        return f"{email} is deactivated, so they cannot supervise a team."
    return None
