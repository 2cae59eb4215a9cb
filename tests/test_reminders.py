"""`flask reminders send` against a real SMTP server on loopback, and the email settings page."""

import re
from contextlib import contextmanager
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Agency, Assignment, CourseCompletion, OutgoingMail, SentReminder, Team, User, team_supervisors
from lms.services import reminders
from tests.conftest import Auth
from tests.smtp import DeliveredInbox, Inbox, refused_port, smtp_server
from tests.sql_statements import recorded_statements

TODAY = "2030-03-06"  # a Wednesday, ISO week 10
TITLE = "Starting out as a peer"
BASE = "https://training.example.org"
COURSE_URL = BASE + "/learn/courses/starting-out/"


def add_person(name, email, roles, agency_id, team_id=None, opted_out=False):
    user = User(agency_id=agency_id, team_id=team_id, email=email, name=name, digest_opt_out=opted_out)
    user.set_roles(set(roles))
    db.session.add(user)
    db.session.flush()
    return user


def require(user, due_on):
    db.session.add(Assignment(agency_id=user.agency_id, course_slug="starting-out", user_id=user.id, due_on=due_on))


@pytest.fixture
def world(app, agency, teams):
    """Two agencies: learners due soon, overdue, complete, on another team; their supervisors."""
    with app.app_context():
        north, south = teams["North"].id, teams["South"].id
        soon = add_person("Sam Soon", "soon@example.org", ["peer"], agency.id, north)
        late = add_person("Lee Late", "late@example.org", ["peer"], agency.id, north)
        done = add_person("Dana Done", "done@example.org", ["peer"], agency.id, north)
        other_team = add_person("Sol South", "south@example.org", ["peer"], agency.id, south)
        require(soon, date(2030, 3, 9))
        require(late, date(2030, 3, 4))
        require(done, date(2030, 3, 4))
        require(other_team, date(2030, 3, 1))
        db.session.add(
            CourseCompletion(
                user_id=done.id,
                course_slug="starting-out",
                course_title=TITLE,
                course_version="1",
                completed_at=datetime(2030, 3, 1, 12, tzinfo=timezone.utc),
                ce_hours=0.5,
            )
        )
        boss = add_person("Bo Boss", "boss@example.org", ["supervisor"], agency.id)
        quiet = add_person("Quinn Quiet", "quiet@example.org", ["supervisor"], agency.id, opted_out=True)

        elsewhere = Agency(name="Other Agency")
        db.session.add(elsewhere)
        db.session.flush()
        east = Team(agency_id=elsewhere.id, name="East")
        db.session.add(east)
        db.session.flush()
        far = add_person("Flo Far", "far@example.org", ["peer"], elsewhere.id, east.id)
        require(far, date(2030, 3, 2))
        far_admin = add_person("Ada Admin", "admin@other.example.org", ["admin", "supervisor"], elsewhere.id)

        db.session.execute(
            team_supervisors.insert(),
            [
                {"team_id": north, "user_id": boss.id},
                {"team_id": north, "user_id": quiet.id},
                {"team_id": east.id, "user_id": far_admin.id},
                {"team_id": east.id, "user_id": boss.id},  # a bad link across agencies must not leak anything
            ],
        )
        db.session.commit()
    app.config["PUBLIC_BASE_URL"] = BASE
    return app


def send(app, *args, port=None):
    if port is not None:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    return app.test_cli_runner().invoke(args=["reminders", "send", *args])


@contextmanager
def delivered_server(app):
    """A loopback SMTP server; reading its inbox first runs the outbox worker (`flask mail send`)."""
    with smtp_server() as (inbox, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        yield DeliveredInbox(inbox, app), port


def make_due(app):
    """As if the pause before the next try had passed."""
    with app.app_context():
        db.session.execute(sa.update(OutgoingMail).values(next_attempt_at=OutgoingMail.created_at))
        db.session.commit()


def received(inbox):
    return {message["to"][0]: message for message in inbox.messages}


def sent_rows(app):
    with app.app_context():
        rows = db.session.execute(sa.select(User.email, SentReminder.kind, SentReminder.key).join(User, User.id == SentReminder.user_id))
        return sorted(tuple(row) for row in rows)


def test_reminders_and_digests_go_to_the_right_people_once(world):
    with delivered_server(world) as (inbox, port):
        result = send(world, "--today", TODAY, port=port)
        assert result.exit_code == 0, result.output
        assert "Queued 4 reminders, 2 digests" in result.output
        mails = received(inbox)
        assert set(mails) == {
            "soon@example.org",
            "late@example.org",
            "south@example.org",
            "far@example.org",
            "boss@example.org",
            "admin@other.example.org",
        }
        assert mails["soon@example.org"]["subject"] == f"Reminder: {TITLE} is due soon"
        assert mails["late@example.org"]["subject"] == f"Reminder: {TITLE} is past due"
        assert mails["boss@example.org"]["subject"] == "Weekly update: 1 overdue course on your teams"

        text, html = inbox.bodies(inbox.messages.index(mails["soon@example.org"]))
        for part in (text, html):
            assert TITLE in part and "March 9, 2030" in part and COURSE_URL in part
        text, html = inbox.bodies(inbox.messages.index(mails["boss@example.org"]))
        for part in (text, html):
            assert "Lee Late" in part and TITLE in part and "March 4, 2030" in part
            assert "Sam Soon" not in part and "Sol South" not in part and "Flo Far" not in part
            assert BASE + "/learn/settings/email" in part
        text, html = inbox.bodies(inbox.messages.index(mails["admin@other.example.org"]))
        assert "Flo Far" in text and "Flo Far" in html and "Lee Late" not in text

        again = send(world, "--today", TODAY)
        assert again.exit_code == 0 and "Queued 0 reminders, 0 digests" in again.output
        assert len(inbox.messages) == 6
    assert ("soon@example.org", "due-soon", "starting-out:2030-03-09") in sent_rows(world)
    assert ("boss@example.org", "digest", "2030-W10") in sent_rows(world)


def test_overdue_follows_due_soon_and_the_digest_comes_weekly(world):
    with delivered_server(world) as (inbox, port):
        assert send(world, "--today", TODAY, port=port).exit_code == 0
        inbox.messages.clear()
        # Sunday, same ISO week: Sam is now overdue, but the boss already had this week's digest.
        result = send(world, "--today", "2030-03-10")
        assert "Queued 1 reminder, 0 digests" in result.output, result.output
        [mail] = inbox.messages
        assert mail["to"] == ["soon@example.org"] and mail["subject"] == f"Reminder: {TITLE} is past due"
        inbox.messages.clear()
        result = send(world, "--today", "2030-03-11")  # Monday: a new week
        assert "Queued 0 reminders, 2 digests" in result.output, result.output
        digest = received(inbox)["boss@example.org"]
        text, _ = inbox.bodies(inbox.messages.index(digest))
        assert "Sam Soon" in text and "Lee Late" in text
        assert digest["subject"] == "Weekly update: 2 overdue courses on your teams"


def test_dry_run_sends_and_records_nothing(world):
    with smtp_server() as (inbox, port):
        result = send(world, "--today", TODAY, "--dry-run", port=port)
    assert result.exit_code == 0, result.output
    assert "Would send a reminder to soon@example.org" in result.output
    assert "Would send a digest to boss@example.org" in result.output
    assert "4 reminders, 2 digests would be sent. Nothing was sent or recorded." in result.output
    assert inbox.messages == [] and sent_rows(world) == []


def test_mail_server_down_loses_nothing_and_sends_each_mail_once_later(world):
    app = world
    assert send(app, "--today", TODAY, port=refused_port()).exit_code == 0  # nothing listens there
    failed = app.test_cli_runner().invoke(args=["mail", "send"])
    assert failed.exit_code == 0 and "Sent 0, failed 1" in failed.output  # the rest wait for the next round
    assert len(sent_rows(app)) == 6  # remembered as queued: the next reminders run queues nothing twice
    assert "Queued 0 reminders, 0 digests" in send(app, "--today", TODAY).output
    with delivered_server(app) as (inbox, port):
        make_due(app)
        assert len(inbox.messages) == 6
        assert len(inbox.messages) == 6


class RefusesOne(Inbox):
    def __init__(self, refused):
        super().__init__()
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def refusing_server(address):
    return smtp_server(RefusesOne(address))


def test_a_refused_mail_is_tried_again_and_the_others_go_once(world):
    with refusing_server("south@example.org") as (inbox, port):
        assert send(world, "--today", TODAY, port=port).exit_code == 0
        result = world.test_cli_runner().invoke(args=["mail", "send"])
    assert "Sent 5, failed 1" in result.output
    delivered = [message["to"][0] for message in inbox.messages]
    assert len(delivered) == 5 and "south@example.org" not in delivered
    with delivered_server(world) as (inbox, port):
        make_due(world)
        assert [message["to"][0] for message in inbox.messages] == ["south@example.org"]


def test_a_mail_that_keeps_failing_ends_dead_and_admins_see_it(world, make_user):
    from lms.services.outbox import MAX_ATTEMPTS

    with refusing_server("south@example.org") as (inbox, port):
        assert send(world, "--today", TODAY, port=port).exit_code == 0
        for _ in range(MAX_ATTEMPTS):
            make_due(world)
            world.test_cli_runner().invoke(args=["mail", "send"])
    with world.app_context():
        statuses = dict(db.session.execute(sa.select(OutgoingMail.recipient, OutgoingMail.status)).all())
        agency_id = db.session.scalar(sa.select(User.agency_id).where(User.email == "south@example.org"))
    assert statuses["south@example.org"] == "dead" and list(statuses.values()).count("sent") == 5
    client = world.test_client()
    Auth(client).login(make_user("admin", agency_id=agency_id, team=None))
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "Some mail could not be sent" in page and "south@example.org" in page and "550" in page


def count_statements(app, work):
    with app.app_context(), recorded_statements(app) as statements:
        work()
    return len(statements)


def test_query_count_does_not_grow_with_the_number_of_people(world, agency, teams):
    catalog = world.extensions["catalog"]

    def add_late_learners(start, count):
        with world.app_context():
            for i in range(start, start + count):
                require(add_person(f"Bulk {i}", f"bulk{i}@example.org", ["peer"], agency.id, teams["North"].id), date(2030, 3, 1))
            db.session.commit()

    def plan():
        with world.test_request_context():
            list(reminders.outgoing_mails(catalog, date(2030, 3, 6)))

    add_late_learners(0, 5)
    small = count_statements(world, plan)
    add_late_learners(5, 60)
    assert count_statements(world, plan) == small
    # agencies, then per agency: its published courses, teams, supervisor links, rules, notices sent,
    # people with their roles, their completions and reminders sent (one batch here), certificates about
    # to expire, certifications tracked for renewal
    assert small == 1 + 2 * 10, small


def test_people_are_read_in_batches_and_the_mails_are_the_same(world, agency, teams):
    """However many people an agency has, a run holds one batch of them at a time; the
    reminders and digests are those of one batch holding everyone."""
    catalog = world.extensions["catalog"]
    with world.app_context():
        for i in range(25):
            require(add_person(f"Bulk {i}", f"bulk{i}@example.org", ["peer"], agency.id, teams["North"].id), date(2030, 3, 1))
        db.session.commit()
        people = db.session.scalar(sa.select(sa.func.count()).where(User.agency_id == agency.id, User.active))

    def mails(batch):
        with world.test_request_context():
            return [
                (item.kind, item.mail.to, item.mail.subject, item.mail.text, item.records)
                for item in reminders.outgoing_mails(catalog, date(2030, 3, 6), batch)
            ]

    everyone = mails(reminders.PEOPLE_PER_BATCH)
    assert mails(4) == everyone
    [digest] = [mail for mail in everyone if mail[1] == "boss@example.org"]
    assert all(f"Bulk {i}" in digest[3] for i in range(25))  # overdue people from every batch
    reminded = {mail[1] for mail in everyone if mail[0] == reminders.REMINDER}
    assert reminded == {f"bulk{i}@example.org" for i in range(25)} | {
        "soon@example.org",
        "late@example.org",
        "south@example.org",
        "far@example.org",
    }

    # three statements per batch (people, their completions, reminders sent to them)
    batches = -(-people // 4)
    assert count_statements(world, lambda: mails(4)) == count_statements(world, lambda: mails(10_000)) + 3 * (batches - 1)


# The email settings page


def supervisor_client(app, make_user, *roles):
    user = make_user(*roles, team=None)
    client = app.test_client()
    Auth(client).login(user)
    return client, user


def test_supervisor_turns_the_digest_off_and_on(app, make_user):
    client, user = supervisor_client(app, make_user, "supervisor")
    page = client.get("/learn/settings/email").get_data(as_text=True)
    assert page.count("<h1") == 1 and '<label for="digest">' in page
    assert 'id="digest" name="digest" value="yes" aria-describedby="digest-hint" checked' in page
    assert re.search(r'href="/learn/settings/email"[^>]*>Email settings</a>', page)  # in the nav
    token = Auth(client).token("/learn/settings/email")

    response = client.post("/learn/settings/email", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/learn/settings/email")
    page = client.get("/learn/settings/email").get_data(as_text=True)
    assert "You will not get the weekly email" in page and " checked" not in page
    with app.app_context():
        assert db.session.get(User, user.id).digest_opt_out is True

    client.post("/learn/settings/email", data={"csrf_token": token, "digest": "yes"})
    with app.app_context():
        assert db.session.get(User, user.id).digest_opt_out is False


def test_settings_need_a_supervisor_and_a_csrf_token(app, make_user):
    client, _ = supervisor_client(app, make_user, "peer")
    assert client.get("/learn/settings/email").status_code == 403
    assert "Email settings" not in client.get("/learn/").get_data(as_text=True)
    anonymous = app.test_client().get("/learn/settings/email")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    boss, user = supervisor_client(app, make_user, "supervisor")
    assert boss.post("/learn/settings/email", data={}).status_code == 400
    with app.app_context():
        assert db.session.get(User, user.id).digest_opt_out is False
