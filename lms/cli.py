"""`flask …` commands. They call services; the command commits."""

from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from lms.domain.content_rules import lesson_grades, quality_problems
from lms.domain.courses import load_catalog
from lms.domain.roles import ROLES
from lms.domain.user_import import MAX_FILE_BYTES, FileProblem, ImportPlan, role_list
from lms.backup import backup_sqlite
from lms.extensions import db
from lms.mail import SmtpSettings
from lms.models import Agency
from lms.services import account_links, demo, seed, user_import
from lms.services import reminders
from lms.services.accounts import AccountError, agency_with_slug, create_agency, create_user
from lms.services.private_writing import rotate_keys
from lms.vault import new_key

users = AppGroup("users", help="Manage people.")
agencies = AppGroup("agencies", help="The agencies on this site.")
courses = AppGroup("courses", help="Work with the course files.")
demo_group = AppGroup("demo", help="Demo data for trying Common Ground out.")
private_data = AppGroup("private-data", help="Learners' encrypted reflections and self-care plans.")


@private_data.command("new-key")
def new_key_command():
    """Print a new encryption key to put first in ENCRYPTION_KEYS."""
    click.echo(new_key())


@private_data.command("rotate")
def rotate_command():
    """Re-encrypt everything with the first key in ENCRYPTION_KEYS.

    Put the new key first and keep the old ones after it; run this; then the old keys
    can be removed.
    """
    count = rotate_keys(current_app.extensions["vault"])
    db.session.commit()
    click.echo(f"Re-encrypted {count} record(s) with the newest key.")


@agencies.command("list")
def list_agencies_command():
    """Print every agency's slug and name."""
    for agency in db.session.scalars(sa.select(Agency).order_by(Agency.slug)):
        click.echo(f"{agency.slug}  {agency.name}")


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--agency", "agency_slug", help="The slug of an existing agency (see `flask agencies list`).")
@click.option("--create-agency", "new_agency_name", help="Create a new agency with this name for the person.")
@click.option("--slug", help="With --create-agency: the new agency's slug (default: made from its name).")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), default=["admin"], show_default=True)
@click.option("--password", help="Asked for when not given (and no --invite).")
@click.option("--invite", is_flag=True, help="Email them a link to choose their own password instead.")
def create_user_command(email, name, agency_slug, new_agency_name, slug, roles, password, invite):
    """Create a person, for example the first admin of a new agency.

    Name the agency by its slug with --agency, or create one with --create-agency: a new
    agency is only ever made when asked for, and never takes an existing agency's name.
    """
    if bool(agency_slug) == bool(new_agency_name):
        raise click.UsageError("Give exactly one of --agency SLUG (an existing agency) or --create-agency NAME (a new one).")
    if slug and not new_agency_name:
        raise click.UsageError("--slug goes with --create-agency.")
    if not invite and password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        agency = agency_with_slug(agency_slug) if agency_slug else create_agency(new_agency_name, slug)
        user = create_user(agency, email, name, roles, None if invite else password)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    created = f" (new agency, slug {agency.slug})" if new_agency_name else ""
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}) in {user.agency.name}{created}.")
    if invite:
        _send_invitations([user])


def _send_invitations(users) -> None:
    try:
        account_links.send_links(users, account_links.INVITATION)
    except account_links.MailNotSent as error:
        click.echo(
            f"Warning: the invitation email could not be sent ({error}). The people are saved; "
            "resend the invitation from each person's page under Admin, People.",
            err=True,
        )
    else:
        click.echo(f"Sent {len(users)} invitation(s).")


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", "agency_slug", required=True, help="The agency's slug (see `flask agencies list`).")
@click.option("--dry-run", is_flag=True, help="Only show what would happen; write nothing.")
def import_users_command(file, agency_slug, dry_run):
    """Add or update people from a CSV file (name,email,roles,team,supervisor_email).

    Writes nothing, and exits with an error, when any line has an error.
    """
    try:  # never created here: a typo must not make a new agency
        agency = agency_with_slug(agency_slug)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    with file.open("rb") as opened:
        data = opened.read(MAX_FILE_BYTES + 1)
    try:
        plan = user_import.plan_for_file(agency, None, data)
    except FileProblem as problem:
        raise click.ClickException(str(problem)) from problem
    _echo_plan(plan)
    if plan.has_errors:
        raise click.ClickException(f"{plan.count('error')} line(s) have errors; nothing was written.")
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    result = user_import.apply_plan(agency, None, plan, file.name)
    db.session.commit()
    click.echo(f"Imported: {len(result.created)} added, {len(result.updated)} updated.")
    if result.created:
        _send_invitations(result.created)


def _echo_plan(plan: ImportPlan) -> None:
    header = ("line", "result", "email", "name", "roles", "team", "details")
    table = [header] + [
        (str(row.line), row.result, row.email, row.name, ";".join(role_list(row.roles)), row.team or "",
         " ".join(row.details()))
        for row in plan.rows
    ]
    widths = [max(len(line[column]) for line in table) for column in range(len(header) - 1)]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[-1])
    click.echo(f"{plan.count('create')} to add, {plan.count('update')} to update, {plan.count('error')} with errors.")


@courses.command("check")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@click.option("--verbose", is_flag=True, help="Also print the reading grade and length of every lesson.")
def check_courses(folder, verbose):
    """Check every course; print problems as path:line: message."""
    catalog = load_catalog(folder or current_app.config["COURSES_DIR"])
    problems = list(catalog.problems)
    for course in catalog:
        problems.extend(quality_problems(course))
        if verbose:
            for path, grade, words in lesson_grades(course):
                click.echo(f"{course.path}/{path}: reading grade {grade:.1f}, {words} words")
    for problem in problems:
        click.echo(str(problem))
    served = len(catalog.courses)
    click.echo(f"{served} course(s) load, {len(catalog.broken)} cannot be served, {len(problems)} problem(s).")
    if problems:
        raise SystemExit(1)


@demo_group.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database has users.")
def load_demo_command(if_empty):
    """Load a demo agency with four logins."""
    if if_empty and not demo.database_is_empty():
        logins = demo.existing_demo_logins()
        click.echo("The database already has data; demo data not loaded.")
        if not logins:
            return
    else:
        try:
            logins = demo.load_demo(current_app.config["ENVIRONMENT"], current_app.extensions["catalog"])
        except demo.DemoRefused as error:
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo("Demo data loaded.")
    click.echo("Demo logins (for trying Common Ground out only, never for real use):")
    for email, roles in logins:
        click.echo(f"  {email:<26} password: {demo.DEMO_PASSWORD}   ({roles})")


@click.command("backup")
@with_appcontext
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target):
    """Write a consistent copy of the SQLite database to TARGET (the site may keep running)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException("flask backup is for SQLite; back up PostgreSQL with pg_dump (docs/security.md).")
    backup_sqlite(url.database, target)
    click.echo(f"Backed up {url.database} to {target}.")


def init_app(app):
    app.cli.add_command(users)
    app.cli.add_command(agencies)
    app.cli.add_command(courses)
    app.cli.add_command(demo_group)
    app.cli.add_command(private_data)
    app.cli.add_command(backup_command)
    app.cli.add_command(reminders_group)


@demo_group.command("seed")
@click.option("--learners", type=click.IntRange(min=1), required=True, help="How many learners to create.")
@click.option("--teams", type=click.IntRange(min=1), help=f"How many teams (default: one per {seed.LEARNERS_PER_TEAM} learners).")
def seed_command(learners, teams):
    """Bulk-load an agency of learners with lesson progress, for benchmarks only."""
    try:
        seeded = seed.seed(current_app.config["ENVIRONMENT"], current_app.extensions["catalog"], learners, teams)
    except seed.SeedRefused as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Seeded {seeded.learners} learners in {seeded.teams} teams, {seeded.progress_rows} progress rows.")
    click.echo(f"For benchmarks only: every seeded login ({seed.seed_email(0)} …) uses the password {seed.SEED_PASSWORD}.")


reminders_group = AppGroup("reminders", help="Reminder emails about required training.")


@reminders_group.command("send")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Act as if today were this date (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Only show what would be sent; send and record nothing.")
def send_reminders_command(today, dry_run):
    """Email learners about required courses due soon or overdue, and supervisors a weekly digest.

    Run it once a day. Nothing is sent twice, so running it again is safe.
    """
    day = today.date() if today else date.today()
    outgoing = reminders.outgoing_mails(current_app.extensions["catalog"], day)
    counted = sum(item.kind == reminders.REMINDER for item in outgoing), sum(item.kind == reminders.DIGEST for item in outgoing)
    if dry_run:
        for item in outgoing:
            click.echo(f"Would send a {item.kind} to {item.mail.to}: {item.mail.subject}")
            for line in item.details:
                click.echo(f"    {line}")
        db.session.rollback()
        click.echo(f"Dry run for {day.isoformat()}: {counted[0]} reminder(s), {counted[1]} digest(s) would be sent. "
                   "Nothing was sent or recorded.")
        return
    try:
        reminders.send(outgoing, SmtpSettings.from_config(current_app.config))
    except reminders.NotAllSent as error:
        db.session.commit()  # remember the mails that did go out
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Sent {counted[0]} reminder(s), {counted[1]} digest(s) for {day.isoformat()}.")
