"""`flask …` commands. They call services; the command commits."""

import click
from flask import current_app
from flask.cli import AppGroup

from lms.domain.content_rules import lesson_grades, quality_problems
from lms.domain.courses import load_catalog
from lms.domain.roles import ROLES
from lms.extensions import db
from lms.services import demo
from lms.services import seed
from lms.services.accounts import AccountError, agency_named, create_user
from lms.services.private_writing import rotate_keys
from lms.vault import new_key

users = AppGroup("users", help="Manage people.")
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


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--agency", "agency_name", required=True, help="Agency name; created if new.")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), default=["admin"], show_default=True)
@click.password_option(help="Asked for when not given.")
def create_user_command(email, name, agency_name, roles, password):
    """Create a person, for example the first admin of a new agency."""
    try:
        user = create_user(agency_named(agency_name), email, name, roles, password)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}) in {user.agency.name}.")


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


def init_app(app):
    app.cli.add_command(users)
    app.cli.add_command(courses)
    app.cli.add_command(demo_group)
    app.cli.add_command(private_data)


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
