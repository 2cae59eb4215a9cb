"""The mail outbox: queued with the action, sent once by however many senders, retried,
never holding a usable link or readable text at rest."""

import threading
from datetime import timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.mail import Mail
from lms.models import OutgoingMail, User, utcnow
from lms.services import account_links, outbox
from tests.smtp import refused_port, smtp_server
from tests.sql_statements import recorded_statements


def mails(app, **where):
    with app.app_context():
        query = sa.select(OutgoingMail).order_by(OutgoingMail.id)
        for column, value in where.items():
            query = query.where(getattr(OutgoingMail, column) == value)
        return db.session.scalars(query).all()


def queue_plain(app, count, agency_id):
    with app.app_context():
        for n in range(count):
            outbox.queue(
                Mail(f"person{n}@example.org", f"Note {n}", f"Private words {n}", f"<p>Private words {n}</p>"), "reminder", agency_id
            )
        db.session.commit()


def test_two_senders_at_once_send_every_mail_exactly_once(app, agency):
    queue_plain(app, 40, agency.id)
    with smtp_server() as (inbox, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        barrier = threading.Barrier(2)
        outputs = []

        def sender():
            barrier.wait()
            outputs.append(app.test_cli_runner().invoke(args=["mail", "send", "--batch", "5"]).output)

        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        received = sorted(message["to"][0] for message in inbox.messages)
    assert received == sorted(f"person{n}@example.org" for n in range(40)), outputs
    assert all(row.status == "sent" and row.body_encrypted is None for row in mails(app))


def test_text_is_encrypted_at_rest_and_links_are_made_only_when_sending(app, agency, make_user):
    queue_plain(app, 1, agency.id)
    [row] = mails(app)
    assert b"Private words" not in row.body_encrypted
    invited = make_user("peer")
    with app.app_context():
        account_links.queue_link_mails([db.session.get(User, invited.id)], account_links.PASSWORD_RESET)
        db.session.commit()
    [link_row] = mails(app, kind="password-reset")
    assert link_row.body_encrypted is None and link_row.recipient == invited.email


def test_an_invitation_no_longer_needed_is_not_sent(app, make_user):
    person = make_user("peer")
    with app.app_context():
        user = db.session.get(User, person.id)
        user.password_hash = None
        account_links.queue_link_mails([user], account_links.INVITATION)
        db.session.commit()
        user.set_password("chosen-meanwhile-by-reset")
        db.session.commit()
    with smtp_server() as (inbox, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        output = app.test_cli_runner().invoke(args=["mail", "send"]).output
        assert "cancelled 1" in output and inbox.messages == []
    assert [row.status for row in mails(app)] == ["cancelled"]


def test_a_sender_that_died_mid_send_leaves_the_mail_to_the_next(app, agency):
    queue_plain(app, 1, agency.id)
    with app.app_context():
        db.session.execute(sa.update(OutgoingMail).values(status="sending", claimed_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    with smtp_server() as (inbox, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        app.test_cli_runner().invoke(args=["mail", "send"])
        assert [message["to"] for message in inbox.messages] == [["person0@example.org"]]


def test_retry_pauses_double(app):
    assert [outbox.retry_delay(n) for n in (1, 2, 3, 8)] == [timedelta(minutes=m) for m in (1, 2, 4, 128)]


def test_invitations_for_five_thousand_people_are_one_insert_and_no_mail_server(app, agency, make_user):
    """What the import's request does for 5,000 new people: one statement, no SMTP at all
    (MAIL_PORT points nowhere; nothing waits for it)."""
    with app.app_context():
        db.session.execute(
            sa.insert(User), [{"agency_id": agency.id, "email": f"new{n}@example.org", "name": f"New {n}"} for n in range(5000)]
        )
        db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=refused_port())  # nothing listens there
    with app.app_context():
        people = db.session.scalars(sa.select(User).where(User.email.like("new%"))).all()
        with recorded_statements(app) as statements:
            assert account_links.queue_link_mails(people, account_links.INVITATION) == 5000
        db.session.commit()
    assert len(statements) == 1
    assert len(mails(app, status="queued")) == 5000
