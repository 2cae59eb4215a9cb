"""/dev/mail: in development, the mail the site would send, readable with clickable links,
so invitations and resets can be tried with no mail server; a 404 everywhere else."""

import re

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Agency, OutgoingMail, User
from lms.services import account_links, outbox
from lms.services.accounts import create_user
from tests.conftest import Auth, csrf_token_from

NEW_PASSWORD = "a-brand-new-passphrase"


@pytest.fixture
def dev_app(make_app):
    return make_app(ENVIRONMENT="development")


def invite(app, agency, email="newcomer@example.org"):
    with app.app_context():
        person = create_user(db.session.get(Agency, agency.id), email, "New Comer", ["peer"], None)
        account_links.queue_link_mails([person], account_links.INVITATION)
        db.session.commit()


def open_mail(client, subject):
    """From the list, open the mail with this subject; return its page and the link in it."""
    listing = client.get("/dev/mail").get_data(as_text=True)
    href = re.search(rf'<a href="(/dev/mail/\d+)">{re.escape(subject)}</a>', listing).group(1)
    page = client.get(href).get_data(as_text=True)
    link = re.search(r'<a href="http://localhost(/auth/[^"]+)">', page).group(1)
    return href, page, link


def test_an_invitation_can_be_read_and_accepted(dev_app, agency):
    invite(dev_app, agency)
    client = dev_app.test_client()
    listing = client.get("/dev/mail").get_data(as_text=True)
    assert "newcomer@example.org" in listing and "Waiting" in listing
    href, page, link = open_mail(client, "Your Common Ground account is ready")
    assert "Hello New Comer" in page and link.startswith("/auth/invitation/")
    html = client.get(href + "/html")
    assert html.status_code == 200 and "default-src 'none'" in html.headers["Content-Security-Policy"]
    assert 'href="http://localhost/auth/invitation/' in html.get_data(as_text=True)

    token = csrf_token_from(client.get(link).get_data(as_text=True))
    accepted = client.post(link, data={"csrf_token": token, "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert accepted.status_code == 303  # the newcomer is in, with the password they chose
    assert "Welcome, New Comer" in client.get(accepted.headers["Location"], follow_redirects=True).get_data(as_text=True)
    # once accepted, the invitation is no longer wanted: it is not shown again
    assert "is not kept any more" in client.get(href).get_data(as_text=True)


def test_a_password_reset_can_be_tried(dev_app, make_user):
    person = make_user("peer")
    client = dev_app.test_client()
    token = csrf_token_from(client.get("/auth/reset").get_data(as_text=True))
    client.post("/auth/reset", data={"csrf_token": token, "email": person.email}).close()  # queued once answered
    _, page, link = open_mail(client, "Set a new password for Common Ground")
    assert link.startswith("/auth/reset/")
    form = client.get(link).get_data(as_text=True)
    client.post(link, data={"csrf_token": csrf_token_from(form), "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert Auth(dev_app.test_client()).login(person, NEW_PASSWORD).status_code == 303


def test_a_sent_mail_keeps_no_text_and_says_so(dev_app, agency):
    with dev_app.app_context():
        outbox.queue(outbox.Mail("someone@example.org", "Hello there", "Plain words.", "<p>Plain words.</p>"), "reminder", agency.id)
        row = db.session.scalar(sa.select(OutgoingMail))
        row.status, row.body_encrypted = outbox.SENT, None
        db.session.commit()
        mail_id = row.id
    client = dev_app.test_client()
    assert "is not kept any more" in client.get(f"/dev/mail/{mail_id}").get_data(as_text=True)
    assert client.get(f"/dev/mail/{mail_id}/html").status_code == 404
    assert client.get("/dev/mail/999999").status_code == 404


@pytest.mark.parametrize("where", ["test", "production", "another computer"])
def test_outside_development_on_this_computer_there_is_no_such_page(app, make_app, agency, where):
    if where == "production":
        app = make_app(ENVIRONMENT="production", SINGLE_WORKER=True, PUBLIC_BASE_URL="https://training.example.org")
    elif where == "another computer":
        app = make_app(ENVIRONMENT="development")
    invite(app, agency)
    with app.app_context():
        mail_id = db.session.scalar(sa.select(OutgoingMail.id))
    client = app.test_client()
    if where == "another computer":
        client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    for path in ("/dev/mail", f"/dev/mail/{mail_id}", f"/dev/mail/{mail_id}/html"):
        response = client.get(path)
        assert response.status_code == 404, (where, path)
        assert b"newcomer@example.org" not in response.data and b"/auth/invitation/" not in response.data


def test_a_logged_in_admin_outside_development_gets_404_too(app, make_user):
    admin = make_user("admin")
    client = app.test_client()
    Auth(client).login(admin)
    assert client.get("/dev/mail").status_code == 404
    with app.app_context():
        assert db.session.get(User, admin.id) is not None
