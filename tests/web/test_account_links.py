"""Invitations and password resets: signed, expiring, single-use links sent by email."""

import re
import time

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from lms.extensions import db
from lms.models import User
from lms.services import account_links
from lms.services.accounts import MIN_PASSWORD_LENGTH
from tests.conftest import PASSWORD, Auth, csrf_token_from
from tests.smtp import DeliveredInbox, refused_port, smtp_server

NEW_PASSWORD = "a-brand-new-passphrase"


@pytest.fixture(autouse=True)
def inbox(app):
    """Every test here mails a real SMTP server on loopback, never port 25."""
    with smtp_server() as (inbox, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, PUBLIC_BASE_URL="https://training.agency.example")
        yield DeliveredInbox(inbox, app)


def link_in(inbox, index=-1):
    """The link in a mail, as a path on this site; the text and HTML parts carry the same one."""
    text, html = inbox.bodies(index)
    [url] = re.findall(r"https://\S+", text)
    assert f'href="{url}"' in html
    assert url.startswith("https://training.agency.example/auth/")
    return url.removeprefix("https://training.agency.example")


def set_password(client, path, password=NEW_PASSWORD, confirmation=None):
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(
        path, data={"csrf_token": token, "password": password, "confirmation": password if confirmation is None else confirmation}
    )


def request_reset(client, email):
    token = csrf_token_from(client.get("/auth/reset").get_data(as_text=True))
    response = client.post("/auth/reset", data={"csrf_token": token, "email": email})
    response.close()  # as a WSGI server does once the answer is sent: the mail goes out then
    return response


@pytest.fixture
def invited(app, make_user):
    """A person an admin has just added: no password yet."""
    person = make_user("peer", email="new.peer@example.org")
    with app.app_context():
        db.session.get(User, person.id).password_hash = None
        db.session.commit()
        return db.session.get(User, person.id)


def invite(app, user):
    with app.app_context():
        account_links.queue_link_mails([db.session.get(User, user.id)], account_links.INVITATION)
        db.session.commit()


def test_an_invitation_link_sets_the_first_password_once_and_logs_in(app, client, invited, inbox):
    invite(app, invited)
    [mail] = inbox.messages
    assert mail["to"] == ["new.peer@example.org"] and mail["subject"] == "Your Common Ground account is ready"
    text, _ = inbox.bodies(0)
    assert "Test Agency" in text and "7 days" in text and PASSWORD not in text
    path = link_in(inbox)

    page = client.get(path).get_data(as_text=True)
    assert "Welcome, Test Peer" in page and "new.peer@example.org" in page
    response = set_password(client, path)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert client.get("/learn/").status_code == 200  # logged in
    with app.app_context():
        assert db.session.get(User, invited.id).check_password(NEW_PASSWORD)

    again = app.test_client().get(path)
    assert again.status_code == 410 and "This link was already used" in again.get_data(as_text=True)
    assert set_password(app.test_client(), path, "another-long-password").status_code == 410


def test_the_new_password_must_be_long_enough_and_typed_twice(app, client, invited, inbox):
    invite(app, invited)
    path = link_in(inbox)
    short = set_password(client, path, "short")
    assert short.status_code == 422
    page = short.get_data(as_text=True)
    assert f"Use at least {MIN_PASSWORD_LENGTH} characters." in page and 'role="alert"' in page
    assert 'aria-describedby="password-hint password-error"' in page
    mismatch = set_password(client, path, NEW_PASSWORD, "something-else-entirely")
    assert "The two passwords are not the same." in mismatch.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, invited.id).password_hash is None
    assert set_password(client, path).status_code == 303  # the link still works after a mistake


def test_password_reset_flow(app, client, make_user, inbox):
    peer = make_user("peer")
    response = request_reset(client, peer.email.upper())
    assert response.status_code == 303
    assert "If there is an active account with that email" in client.get(response.headers["Location"]).get_data(as_text=True)
    [mail] = inbox.messages
    assert mail["subject"] == "Set a new password for Common Ground" and "1 hour" in inbox.bodies(0)[0]
    path = link_in(inbox)
    assert path.startswith("/auth/reset/")

    response = set_password(client, path)
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    assert Auth(app.test_client()).login(peer, NEW_PASSWORD).status_code == 303
    assert Auth(app.test_client()).login(peer, PASSWORD).status_code == 401
    assert "already used" in client.get(path).get_data(as_text=True)


def test_an_unknown_or_deactivated_email_gets_the_same_answer_and_no_mail(app, client, make_user, inbox):
    known = request_reset(client, make_user("peer").email)
    known_page = client.get(known.headers["Location"]).get_data(as_text=True)
    inactive = make_user("peer", email="gone@example.org")
    with app.app_context():
        db.session.get(User, inactive.id).active = False
        db.session.commit()
    for email in ("nobody@example.org", "gone@example.org"):
        response = request_reset(client, email)
        assert (response.status_code, response.headers["Location"]) == (known.status_code, known.headers["Location"])
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert page == known_page.replace(csrf_token_from(known_page), csrf_token_from(page))
    assert len(inbox.messages) == 1


def test_the_link_is_mailed_only_after_the_answer_is_sent(client, make_user, inbox):
    token = csrf_token_from(client.get("/auth/reset").get_data(as_text=True))
    response = client.post("/auth/reset", data={"csrf_token": token, "email": make_user("peer").email})
    assert response.status_code == 303 and not inbox.messages  # so the answer takes as long for everyone
    response.close()
    assert len(inbox.messages) == 1


def test_someone_who_never_set_a_password_gets_a_new_invitation(client, invited, inbox):
    request_reset(client, invited.email)
    assert inbox.messages[0]["subject"] == "Your Common Ground account is ready"
    assert link_in(inbox).startswith("/auth/invitation/")


def test_a_reset_request_needs_an_email(client, inbox):
    response = request_reset(client, "not an email")
    assert response.status_code == 422 and "Enter a whole email address" in response.get_data(as_text=True)
    assert not inbox.messages


def test_the_answer_is_the_same_when_mail_is_down(app, client, make_user, inbox):
    app.config["MAIL_PORT"] = refused_port()
    response = request_reset(client, make_user("peer").email)
    assert response.status_code == 303
    assert "If there is an active account with that email" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_reset_requests_are_rate_limited(client, inbox):
    statuses = [request_reset(client, "nobody@example.org").status_code for _ in range(6)]
    assert statuses == [303] * 5 + [429]


def test_an_expired_link_is_refused_and_offers_a_new_one(app, client, make_user, monkeypatch):
    peer = make_user("peer")
    two_hours_ago = int(time.time()) - 2 * 3600
    with app.app_context():
        with monkeypatch.context() as patched:
            patched.setattr(TimestampSigner, "get_timestamp", lambda self: two_hours_ago)
            path = account_links.link_url(db.session.get(User, peer.id), account_links.PASSWORD_RESET)
        fresh_invitation = account_links.link_url(db.session.get(User, peer.id), account_links.INVITATION)
    response = client.get(path.removeprefix(app.config["PUBLIC_BASE_URL"]))
    page = response.get_data(as_text=True)
    assert response.status_code == 410 and "This link has expired" in page and "1 hour" in page
    assert "Send me a new link" in page and 'action="/auth/reset"' in page
    assert set_password(app.test_client(), path.removeprefix(app.config["PUBLIC_BASE_URL"])).status_code == 410
    # Two hours is well within an invitation's 7 days.
    assert client.get(fresh_invitation.removeprefix(app.config["PUBLIC_BASE_URL"])).status_code == 200


def test_tampered_links_and_links_for_another_purpose_are_refused(app, client, invited, inbox):
    invite(app, invited)
    path = link_in(inbox)
    token = path.rsplit("/", 1)[1]
    for bad in (f"/auth/invitation/{token[:-2]}xx", f"/auth/reset/{token}", "/auth/invitation/nonsense"):
        response = client.get(bad)
        assert response.status_code == 400 and "This link does not work" in response.get_data(as_text=True), bad


def test_a_link_stops_working_when_the_email_changes_or_the_person_is_deactivated(app, client, invited, inbox):
    invite(app, invited)
    path = link_in(inbox)
    with app.app_context():
        db.session.get(User, invited.id).email = "moved@example.org"
        db.session.commit()
    assert client.get(path).status_code == 410
    invite(app, invited)
    path = link_in(inbox)
    with app.app_context():
        db.session.get(User, invited.id).active = False
        db.session.commit()
    assert client.get(path).status_code == 400


def test_links_come_from_the_public_base_url_not_the_host_header(app, make_user, inbox):
    client = app.test_client()
    request_reset_with_host = client.get("/auth/reset", headers={"Host": "evil.example"})
    token = csrf_token_from(request_reset_with_host.get_data(as_text=True))
    client.post("/auth/reset", data={"csrf_token": token, "email": make_user("peer").email}, headers={"Host": "evil.example"}).close()
    assert "evil.example" not in "".join(inbox.bodies(0))
    link_in(inbox)


def test_the_login_page_links_to_the_reset_page(client):
    assert 'href="/auth/reset"' in client.get("/auth/login").get_data(as_text=True)


def test_users_create_can_invite_instead_of_asking_a_password(app, runner, inbox):
    result = runner.invoke(
        args=["users", "create", "--email", "Boss@Agency.org", "--name", "Pat Boss", "--create-agency", "New Agency", "--invite"]
    )
    assert result.exit_code == 0, result.output
    assert "Created boss@agency.org (admin) in New Agency" in result.output and "Queued 1 invitation:" in result.output
    assert inbox.messages[0]["to"] == ["boss@agency.org"]
    with app.app_context():
        assert db.session.scalar(sa.select(User.password_hash).where(User.email == "boss@agency.org")) is None
    assert app.test_client().get(link_in(inbox)).status_code == 200
