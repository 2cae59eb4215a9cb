"""A supervisor's "Send a reminder": one mail through the outbox, to their own team only, once a day."""

from datetime import date, timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import AuditEvent, OutgoingMail
from tests.conftest import Auth, csrf_token_from
from tests.smtp import smtp_server
from tests.web.test_supervise import assign, supervise

HTMX = {"HX-Request": "true"}


def reminders(app, user_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(OutgoingMail).where(OutgoingMail.user_id == user_id, OutgoingMail.kind == "supervisor-reminder")
        ).all()


def post_reminder(client, user_id, headers=None, filters=""):
    token = csrf_token_from(client.get("/supervise/").get_data(as_text=True))
    return client.post(
        f"/supervise/people/{user_id}/reminder",
        data={"csrf_token": token, "filters": filters},
        headers={**(headers or {}), "X-CSRFToken": token},
    )


def test_a_reminder_goes_out_once_with_the_overdue_course_and_is_audit_logged(app, make_user, agency):
    learner = make_user("peer", team="North")
    assign(app, agency.id, role="peer", due_on=date.today() - timedelta(days=3))
    client, supervisor = supervise(app, make_user)
    page = client.get("/supervise/").get_data(as_text=True)
    assert f'Send a reminder<span class="visually-hidden"> to {learner.name}</span>' in page

    response = post_reminder(client, learner.id, filters="status=overdue&sort=name")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/supervise/?status=overdue&sort=name#person-{learner.id}")
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"A reminder is on its way to {learner.name} ({learner.email})." in shown

    [mail] = reminders(app, learner.id)
    assert mail.recipient == learner.email and mail.status == "queued"
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reminder.send"))
        assert event.actor_id == supervisor.id and event.subject == learner.name

    # Through a real SMTP server: the learner reads what is late and where to open it.
    with smtp_server() as (inbox, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        assert "Sent 1" in app.test_cli_runner().invoke(args=["mail", "send"]).output
    [message] = inbox.messages
    assert message["to"] == [learner.email] and "A reminder from Test Supervisor" in message["subject"]
    text, html = inbox.bodies(0)
    assert "Starting out as a peer." in text and "It was due on" in text
    assert "Open it here: http://localhost/learn/courses/starting-out/" in text
    assert 'href="http://localhost/learn/courses/starting-out/"' in html


def test_a_second_click_sends_nothing_more_and_says_so(app, make_user):
    learner = make_user("peer", team="North")
    client, _ = supervise(app, make_user)
    post_reminder(client, learner.id)
    again = post_reminder(client, learner.id)
    assert again.status_code == 303
    assert "got a reminder less than a day ago, so no new one was sent" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(reminders(app, learner.id)) == 1
    other_client, _ = supervise(app, make_user)  # another supervisor of the same team is held back too
    assert "less than a day ago" in post_reminder(other_client, learner.id, HTMX).get_data(as_text=True)
    assert len(reminders(app, learner.id)) == 1


def test_with_htmx_the_row_says_it_was_sent(app, make_user):
    learner = make_user("peer", team="North")
    client, _ = supervise(app, make_user)
    response = post_reminder(client, learner.id, HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert f'id="reminder-status-{learner.id}"' in body and f"Reminder sent to {learner.name}." in body
    assert len(reminders(app, learner.id)) == 1


def test_only_people_on_the_supervisors_own_teams(app, make_user):
    south = make_user("peer", team="South")
    client, _ = supervise(app, make_user, team_names=("North",))
    assert post_reminder(client, south.id).status_code == 404
    peer = make_user("peer", team="North")
    learner_client = app.test_client()
    auth = Auth(learner_client)
    auth.login(peer)
    token = auth.token()
    response = learner_client.post(f"/supervise/people/{south.id}/reminder", data={"csrf_token": token})
    assert response.status_code == 403
    assert reminders(app, south.id) == []


def test_without_a_csrf_token_nothing_is_sent(app, make_user):
    learner = make_user("peer", team="North")
    client, _ = supervise(app, make_user)
    response = client.post(f"/supervise/people/{learner.id}/reminder", data={})
    assert response.status_code == 400
    assert reminders(app, learner.id) == []
