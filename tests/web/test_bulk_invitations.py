"""Admins send invitations again in bulk: pending or expired ones, through the outbox,
audit-logged, with clear counts; never twice on a double click, never another agency's."""

import re
from datetime import timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Agency, AuditEvent, OutgoingMail, utcnow
from lms.services.accounts import create_user
from tests.conftest import Auth, csrf_token_from
from tests.smtp import smtp_server


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def invitee(app, agency_id, email, last_sent=None, status="sent"):
    with app.app_context():
        person = create_user(db.session.get(Agency, agency_id), email, email.split("@")[0].title(), ["peer"], None)
        db.session.flush()
        if last_sent is not None:
            db.session.add(
                OutgoingMail(
                    agency_id=agency_id,
                    user_id=person.id,
                    kind="invitation",
                    recipient=email,
                    subject="Your Common Ground account is ready",
                    status=status,
                    created_at=last_sent,
                    next_attempt_at=last_sent,
                    sent_at=last_sent if status == "sent" else None,
                )
            )
        db.session.commit()
        return person.id


def invitations(app, user_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(OutgoingMail).where(OutgoingMail.user_id == user_id, OutgoingMail.kind == "invitation").order_by(OutgoingMail.id)
        ).all()


def test_pending_and_expired_invitations_are_sent_again_with_counts(app, make_user, agency):
    admin = make_user("admin")
    never = invitee(app, agency.id, "never@example.org")
    expired = invitee(app, agency.id, "expired@example.org", utcnow() - timedelta(days=8))
    fresh = invitee(app, agency.id, "fresh@example.org", utcnow() - timedelta(days=2))
    just_now = invitee(app, agency.id, "justnow@example.org", utcnow() - timedelta(minutes=2), status="queued")
    with app.app_context():
        elsewhere = Agency(name="Elsewhere")
        db.session.add(elsewhere)
        db.session.commit()
        elsewhere_id = elsewhere.id
    stranger = invitee(app, elsewhere_id, "stranger@example.org")

    client = app.test_client()
    Auth(client).login(admin)
    page = client.get("/admin/invitations").get_data(as_text=True)
    text = text_of(page)
    assert "never@example.org Never sent" in text and "expired@example.org Expired on" in text
    assert "fresh@example.org Sent on" in text and "justnow@example.org Waiting to be sent" in text
    assert admin.email not in page and "stranger@example.org" not in page  # has a password; another agency
    ticked = set(re.findall(r'name="person" value="(\d+)" checked', page))
    assert ticked == {str(never), str(expired)}  # no working link: ticked for the admin

    token = csrf_token_from(page)
    chosen = [never, expired, just_now, stranger, admin.id]
    response = client.post("/admin/invitations", data={"csrf_token": token, "person": [str(i) for i in chosen]})
    assert response.status_code == 303
    message = text_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert (
        "Sent 2 invitations again. Skipped 1 person: invited less than 10 minutes ago. "
        "Skipped 1 person: they set a password meanwhile, or were deactivated."
    ) in message
    assert len(invitations(app, never)) == 1 and len(invitations(app, expired)) == 2
    assert len(invitations(app, just_now)) == 1 and invitations(app, stranger) == [] and invitations(app, fresh)[0].status == "sent"
    with app.app_context():
        [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "invitations.resend")).all()
        assert event.actor_id == admin.id and sorted(event.details["sent_to"]) == ["expired@example.org", "never@example.org"]

    again = client.post("/admin/invitations", data={"csrf_token": token, "person": [str(never), str(expired)]})
    assert "No invitation was sent. Skipped 2 people: invited less than 10 minutes ago." in text_of(
        client.get(again.headers["Location"]).get_data(as_text=True)
    )
    assert len(invitations(app, never)) == 1  # the double click sent nothing more

    with smtp_server() as (inbox, port):  # and they really go out, each with a working link
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        app.test_cli_runner().invoke(args=["mail", "send"])
    assert sorted(m["to"][0] for m in inbox.messages) == ["expired@example.org", "justnow@example.org", "never@example.org"]
    link = re.search(r"http://[^/\s]+(/auth/invitation/\S+)", inbox.bodies(0)[0]).group(1)
    assert app.test_client().get(link).status_code == 200


def test_nothing_ticked_says_what_to_do(app, make_user):
    admin = make_user("admin")
    client = app.test_client()
    auth = Auth(client)
    auth.login(admin)
    response = client.post("/admin/invitations", data={"csrf_token": auth.token("/admin/invitations")})
    assert "Tick at least one person" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_people_page_leads_there(app, make_user):
    admin = make_user("admin")
    client = app.test_client()
    Auth(client).login(admin)
    assert 'href="/admin/invitations"' in client.get("/admin/people").get_data(as_text=True)
