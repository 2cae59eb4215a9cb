"""`flask …` commands. They call services; the command commits."""

import os
from collections import Counter
from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from lms.backup import backup_sqlite
from lms.domain.content_rules import quality_problems
from lms.domain.course_loader import load_catalog
from lms.domain.course_measures import reading_grade, word_count
from lms.domain.course_report import report_table
from lms.domain.roles import ROLES
from lms.domain.user_import import MAX_FILE_BYTES, FileProblem, ImportPlan, role_list
from lms.domain.wording import counted
from lms.extensions import db
from lms.mail import SmtpSession, SmtpSettings
from lms.models import Agency, Network, Team
from lms.services import account_links, demo, erasure, networks, outbox, reminders, seed, signing, user_import, xapi_outbox
from lms.services.accounts import AccountError, agency_with_slug, create_agency, create_user
from lms.services.agency_catalog import catalog_for
from lms.services.certificate_export import ExportFilters, stream_zip
from lms.services.certificates import EXPORT_STATUSES
from lms.services.private_writing import rotate_keys
from lms.vault import new_key
from lms.web.certificates import render_certificate_pdf

users = AppGroup("users", help="Manage people.")
agencies = AppGroup("agencies", help="The agencies on this site.")
courses = AppGroup("courses", help="Work with the course files.")
demo_group = AppGroup("demo", help="Demo data for trying Common Ground out.")
private_data = AppGroup("private-data", help="Learners' encrypted reflections and self-care plans.")
retention = AppGroup("retention", help="Delete what each agency's privacy settings say is no longer kept.")


@private_data.command("new-key")
def new_key_command():
    """Print a new encryption key to put first in ENCRYPTION_KEYS."""
    click.echo(new_key())


@retention.command("apply")
def apply_retention_command():
    """Delete the private writing of people deactivated longer ago than their agency keeps it,
    and withdraw kept certificates of erased people whose years are up. Run it daily."""
    result = erasure.apply_retention()
    db.session.commit()
    erasure.wipe_freed_space()
    click.echo(
        f"Deleted the private writing of {counted(result.writing_deleted_for, 'person', 'people')}; "
        f"withdrew {counted(result.certificates_withdrawn, 'certificate')} of erased people."
    )


@private_data.command("rotate")
def rotate_command():
    """Re-encrypt everything with the first key in ENCRYPTION_KEYS.

    Put the new key first and keep the old ones after it; run this; then the old keys
    can be removed.
    """
    count = rotate_keys(current_app.extensions["vault"])
    db.session.commit()
    click.echo(f"Re-encrypted {counted(count, 'record')} with the newest key.")


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
    created = f" (new agency, slug {agency.slug})" if new_agency_name else ""
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}) in {user.agency.name}{created}.")
    if invite:
        _queue_invitations([user])
    db.session.commit()


def _queue_invitations(users) -> None:
    count = account_links.queue_link_mails(users, account_links.INVITATION)
    if count:
        click.echo(f"Queued {counted(count, 'invitation')}: the mail worker sends them (or run `flask mail send`).")


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
        raise click.ClickException(
            f"{counted(plan.count('error'), 'line')} {'has' if plan.count('error') == 1 else 'have'} errors; nothing was written."
        )
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    result = user_import.apply_plan(agency, None, plan, file.name)
    click.echo(f"Imported: {len(result.created)} added, {len(result.updated)} updated.")
    _queue_invitations(result.created)
    db.session.commit()


def _echo_plan(plan: ImportPlan) -> None:
    header = ("line", "result", "email", "name", "roles", "team", "details")
    table = [header] + [
        (str(row.line), row.result, row.email, row.name, ";".join(role_list(row.roles)), row.team or "", " ".join(row.details()))
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
            for lesson in course.lessons:
                grade, words = reading_grade(lesson.prose), word_count(lesson.prose)
                click.echo(f"{course.path}/{lesson.path}: reading grade {grade:.1f}, {words} words")
    for problem in problems:
        click.echo(str(problem))
    served = len(catalog.courses)
    click.echo(f"{counted(served, 'course')} load, {len(catalog.broken)} cannot be served, {counted(len(problems), 'problem')}.")
    if problems:
        raise SystemExit(1)


@courses.command("report")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
def report_courses(folder):
    """Print a Markdown table of each course's length, check and hours, for docs/courses.md."""
    catalog = load_catalog(folder or current_app.config["COURSES_DIR"])
    click.echo(report_table(catalog))
    if catalog.broken:
        click.echo(f"Not in the table (they cannot be served): {', '.join(sorted(catalog.broken))}.", err=True)


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


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--demo/--no-demo", default=True, show_default=True, help="Load the demo data into an empty database.")
@with_appcontext
@click.pass_context
def serve_command(context, host, port, demo):
    """Try Common Ground on this computer: update the database, load the demo, serve.

    One process does all three, so `make run` starts Python once. Not for production
    (run it with gunicorn there, as the README says).
    """
    from flask_migrate import upgrade
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    if app.config["ENVIRONMENT"] == "production":
        raise click.ClickException("`flask serve` is for trying the site out; in production run it with gunicorn.")
    upgrade()
    if demo:
        context.invoke(load_demo_command, if_empty=True)
    if "PUBLIC_BASE_URL" not in os.environ:
        # Certificates, QR codes and emailed links point at the address served here.
        app.config["PUBLIC_BASE_URL"] = f"http://{host}:{port}"
    click.echo(f"Common Ground is at http://{host}:{port}/  (Ctrl+C stops it)")
    if app.config["ENVIRONMENT"] == "development":
        click.echo(f"Mail is not sent while you try it out: read it at http://{host}:{port}/dev/mail")
    run_simple(host, port, app, threaded=True)


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
    app.cli.add_command(retention)
    app.cli.add_command(backup_command)
    app.cli.add_command(reminders_group)
    app.cli.add_command(mail_group)
    app.cli.add_command(certificates_group)
    app.cli.add_command(serve_command)
    app.cli.add_command(xapi_group)
    app.cli.add_command(networks_group)


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
certificates_group = AppGroup("certificates", help="Certificates: audit exports and the keys that sign digital badges.")
keys_group = AppGroup("keys", help="The Ed25519 keys that sign an agency's Open Badges.")
certificates_group.add_command(keys_group)


def _agency_or_fail(agency_slug: str) -> Agency:
    try:
        return agency_with_slug(agency_slug)
    except AccountError as error:
        raise click.ClickException(str(error)) from error


@certificates_group.command("export")
@click.option("--agency", "agency_slug", required=True, help="The agency's slug (see `flask agencies list`).")
@click.option("--out", "target", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The ZIP file to write.")
@click.option("--team", "team_name", help="Only people on this team.")
@click.option("--course", "course_slug", default="", help="Only this course (its folder name).")
@click.option("--from", "date_from", type=click.DateTime(formats=["%Y-%m-%d"]), help="Completed on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", type=click.DateTime(formats=["%Y-%m-%d"]), help="Completed on or before (YYYY-MM-DD).")
@click.option("--status", type=click.Choice(EXPORT_STATUSES), default=None, help="Only certificates with this status.")
def export_certificates_command(agency_slug, target, team_name, course_slug, date_from, date_to, status):
    """Write the agency's certificate PDFs and a manifest.csv into one ZIP file, for an audit."""
    agency = _agency_or_fail(agency_slug)
    team_ids = None
    if team_name:
        team = db.session.scalar(sa.select(Team).where(Team.agency_id == agency.id, Team.name == team_name))
        if team is None:
            raise click.ClickException(f"{agency.name} has no team called {team_name!r}.")
        team_ids = [team.id]
    if course_slug and catalog_for(agency.id).get(course_slug) is None:  # its own courses count too
        raise click.ClickException(f"There is no course {course_slug!r}.")
    filters = ExportFilters(team_ids, course_slug, date_from and date_from.date(), date_to and date_to.date(), status or "")
    partial = target.with_name(target.name + ".partial")
    with partial.open("wb") as out:
        for chunk in stream_zip(agency.id, filters, render_certificate_pdf):
            db.session.commit()  # each newly cached PDF: an export stopped half-way keeps them
            out.write(chunk)
    partial.replace(target)  # never a half-written ZIP under the real name
    click.echo(f"Wrote {target} ({target.stat().st_size:,} bytes).")


@keys_group.command("rotate")
@click.option("--agency", "agency_slug", required=True, help="The agency's slug (see `flask agencies list`).")
def rotate_keys_command(agency_slug):
    """Add a new signing key; it signs from now on. Earlier keys stay published, so badges
    signed with them still verify."""
    agency = _agency_or_fail(agency_slug)
    key = signing.add_key(agency, current_app.extensions["vault"])
    db.session.commit()
    click.echo(f"Added signing key {key.kid} for {agency.name}; {len(signing.agency_keys(agency.id))} key(s) published.")


@keys_group.command("list")
@click.option("--agency", "agency_slug", required=True, help="The agency's slug (see `flask agencies list`).")
def list_keys_command(agency_slug):
    """Show the agency's signing keys, oldest first; the last one signs."""
    agency = _agency_or_fail(agency_slug)
    for key in signing.agency_keys(agency.id):
        click.echo(f"{key.kid}  added {key.created_at:%Y-%m-%d}")


@reminders_group.command("send")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Act as if today were this date (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Only show what would be sent; send and record nothing.")
def send_reminders_command(today, dry_run):
    """Email learners about required courses due soon or overdue, and supervisors a weekly digest.

    Run it once a day. Nothing is sent twice, so running it again is safe.
    """
    day = today.date() if today else date.today()
    outgoing = reminders.outgoing_mails(current_app.extensions["catalog"], day)
    if dry_run:
        totals = Counter()
        for item in outgoing:
            click.echo(f"Would send a {item.kind} to {item.mail.to}: {item.mail.subject}")
            for line in item.details:
                click.echo(f"    {line}")
            totals[item.kind] += 1
        db.session.rollback()
        click.echo(
            f"Dry run for {day.isoformat()}: {counted(totals[reminders.REMINDER], 'reminder')}, "
            f"{counted(totals[reminders.DIGEST], 'digest')} would be sent. Nothing was sent or recorded."
        )
        return
    totals = reminders.queue(outgoing)
    db.session.commit()
    click.echo(
        f"Queued {counted(totals[reminders.REMINDER], 'reminder')}, {counted(totals[reminders.DIGEST], 'digest')} "
        f"for {day.isoformat()}: the mail worker sends them (or run `flask mail send`)."
    )


mail_group = AppGroup("mail", help="The outbox of mail waiting to be sent.")


@mail_group.command("send")
@click.option("--loop", is_flag=True, help="Keep running: send what is due, wait, and again (a mail worker).")
@click.option("--interval", type=click.FloatRange(min=0.1), default=10, show_default=True, help="With --loop: seconds between rounds.")
@click.option("--batch", type=click.IntRange(min=1), default=200, show_default=True, help="Mails claimed at a time.")
def send_mail_command(loop, interval, batch):
    """Send the mail that is due. Run it every minute (cron or a systemd timer), or once with --loop.

    Several senders may run at once: each mail is claimed by one of them and sent once.
    """
    settings = SmtpSettings.from_config(current_app.config)
    _send_in_rounds(lambda: _send_due(settings, batch), loop, interval)


def _send_due(settings, batch):
    report = outbox.Delivery()
    with SmtpSession(settings) as session:
        while True:
            claimed = outbox.claim(batch)
            db.session.commit()  # the claim is visible to other senders before anything is sent
            for done, mail_id in enumerate(claimed):
                reachable = outbox.deliver(mail_id, session, report)
                db.session.commit()  # each mail's outcome is kept as soon as it is known
                if not reachable:  # the rest would fail the same way: try them next round
                    outbox.release(claimed[done + 1 :])
                    db.session.commit()
                    return report
            if len(claimed) < batch:
                return report


def _send_in_rounds(send_round, loop, interval):
    """One round of sending, or (a worker) a round every `interval` seconds until stopped."""
    stop = _stop_on_signals() if loop else None
    while True:
        report = send_round()
        if report.sent or report.failed or report.cancelled or not loop:
            click.echo(f"Sent {report.sent}, failed {report.failed} (of which {report.dead} now dead), cancelled {report.cancelled}.")
        if not loop or stop.wait(interval):
            return


def _stop_on_signals():
    """An event set by SIGTERM or SIGINT, so a worker finishes the mail in hand and stops."""
    import signal
    import threading

    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    return stop


xapi_group = AppGroup("xapi", help="xAPI statements for the agencies' Learning Record Stores.")


@xapi_group.command("send")
@click.option("--loop", is_flag=True, help="Keep running: send what is due, wait, and again (a worker).")
@click.option("--interval", type=click.FloatRange(min=0.1), default=10, show_default=True, help="With --loop: seconds between rounds.")
@click.option("--batch", type=click.IntRange(min=1), default=200, show_default=True, help="Statements claimed at a time.")
def send_xapi_command(loop, interval, batch):
    """Send the statements that are due to each agency's LRS. Run it every minute, or once with --loop.

    Several senders may run at once: each statement is claimed by one of them.
    """
    vault = current_app.extensions["vault"]
    _send_in_rounds(lambda: _send_due_statements(vault, batch), loop, interval)


def _send_due_statements(vault, batch):
    report = xapi_outbox.Delivery()
    while True:
        claimed = xapi_outbox.claim(batch)
        db.session.commit()  # the claim is visible to other senders before anything is sent
        xapi_outbox.deliver(claimed, vault, report)
        db.session.commit()
        if len(claimed) < batch:
            return report


@xapi_group.command("requeue")
@click.option("--agency", "agency_slug", required=True, help="The agency's slug (see `flask agencies list`).")
def requeue_xapi_command(agency_slug):
    """Put the agency's dead statements back in the queue (tries reset, due now) for `flask xapi send`."""
    agency = _agency_or_fail(agency_slug)
    requeued = xapi_outbox.requeue_dead(agency, actor=None)
    db.session.commit()
    click.echo(f"Queued {counted(requeued, 'dead statement')} of {agency.name} to be sent again.")


@xapi_group.command("export")
@click.option("--agency", "agency_slug", required=True, help="The agency's slug (see `flask agencies list`).")
@click.option("--out", "target", type=click.Path(dir_okay=False, path_type=Path), help="The file to write (default: print them).")
def export_xapi_command(agency_slug, target):
    """Write every xAPI statement made for the agency as JSON lines, oldest first."""
    agency = _agency_or_fail(agency_slug)
    lines = xapi_outbox.export_lines(agency.id)
    if target is None:
        for line in lines:
            click.echo(line, nl=False)
        return
    partial = target.with_name(target.name + ".partial")
    with partial.open("w", encoding="utf-8") as out:
        count = sum(out.write(line) > 0 for line in lines)
    partial.replace(target)
    click.echo(f"Wrote {counted(count, 'statement')} to {target}.", err=True)


networks_group = AppGroup("networks", help="Networks of agencies that share training totals (docs/networks.md).")


@networks_group.command("create")
@click.argument("name")
@click.option("--slug", help="How commands name the network (default: made from its name).")
def create_network_command(name, slug):
    """Create a network; then give it an admin with `flask networks add-admin`."""
    try:
        network = networks.create_network(name, slug)
    except networks.NetworkError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created the network {network.name} (slug {network.slug}).")


@networks_group.command("list")
def list_networks_command():
    """Print every network's slug and name."""
    for network in db.session.scalars(sa.select(Network).order_by(Network.slug)):
        click.echo(f"{network.slug}  {network.name}")


@networks_group.command("add-admin")
@click.argument("network_slug")
@click.option("--email", required=True)
@click.option("--name", help="Needed when the person has no account yet.")
@click.option("--password", help="For a new account: asked for when not given.")
def add_network_admin_command(network_slug, email, name, password):
    """Let a person run a network. They belong to no agency and see totals only, never people."""
    try:
        network = networks.network_with_slug(network_slug)
        if password is None and name:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        admin = networks.add_network_admin(network, email, name, password)
    except (networks.NetworkError, AccountError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{admin.email} now runs the network {network.name}.")
