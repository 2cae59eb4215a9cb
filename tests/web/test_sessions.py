"""Ending sessions: a copied session cookie stops working, on every server, after logout,
a new password, a change of roles and deactivation."""

from urllib.parse import urlsplit

import pytest

from lms.extensions import db
from lms.models import User
from lms.services import account_links
from tests.conftest import csrf_token_from
from tests.web.helpers import logged_in


def copy_of(app, client):
    """Another browser holding a copy of this one's session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    return thief


def is_logged_in(client) -> bool:
    response = client.get("/learn/")
    return response.status_code == 200


def test_logout_ends_every_session_including_a_copied_cookie(app, make_app, make_user):
    peer = make_user("peer")
    client, token = logged_in(app, peer)
    thief = copy_of(app, client)
    other_device, _ = logged_in(app, peer)
    assert is_logged_in(thief) and is_logged_in(other_device)
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 303
    other_server = make_app()
    for browser in (client, thief, other_device, copy_of(other_server, thief)):
        assert not is_logged_in(browser)
    assert logged_in(app, peer)  # logging in again works


def test_a_new_password_ends_every_session(app, make_user):
    peer = make_user("peer")
    client, _ = logged_in(app, peer)
    thief = copy_of(app, client)
    with app.app_context():
        path = account_links.link_url(db.session.get(User, peer.id), account_links.PASSWORD_RESET)
    path = urlsplit(path).path
    browser = app.test_client()
    token = csrf_token_from(browser.get(path).get_data(as_text=True))
    new = "a-different-passphrase"
    assert browser.post(path, data={"csrf_token": token, "password": new, "confirmation": new}).status_code == 303
    assert not is_logged_in(thief) and not is_logged_in(client)


@pytest.fixture
def admin(app, make_user):
    return logged_in(app, make_user("admin"))


def test_a_role_change_ends_every_session_of_that_person(app, make_user, admin):
    person = make_user("peer", "supervisor")
    client, _ = logged_in(app, person)
    thief = copy_of(app, client)
    assert client.get("/supervise/").status_code == 200
    admin_client, token = admin
    with app.app_context():
        team_id = db.session.get(User, person.id).team_id
    form = {
        "csrf_token": token,
        "name": "Test Peer",
        "email": person.email,
        "roles": ["peer"],
        "team": str(team_id),
        "joined_on": "2026-01-05",
    }
    assert admin_client.post(f"/admin/people/{person.id}", data=form).status_code == 303
    assert not is_logged_in(thief) and not is_logged_in(client)
    assert is_logged_in(admin_client)  # the admin's own session is untouched


def test_an_admin_changing_their_own_roles_stays_logged_in(app, make_user):
    me = make_user("admin", "peer")
    client, token = logged_in(app, me)
    thief = copy_of(app, client)
    form = {"csrf_token": token, "name": "Me", "email": me.email, "roles": ["admin"], "team": "", "joined_on": "2026-01-05"}
    assert client.post(f"/admin/people/{me.id}", data=form).status_code == 303
    assert client.get("/admin/").status_code == 200
    assert not is_logged_in(thief)


def test_deactivation_ends_every_session(app, make_user, admin):
    peer = make_user("peer")
    client, _ = logged_in(app, peer)
    thief = copy_of(app, client)
    admin_client, token = admin
    assert admin_client.post(f"/admin/people/{peer.id}/deactivate", data={"csrf_token": token}).status_code == 303
    assert not is_logged_in(thief) and not is_logged_in(client)
    assert admin_client.post(f"/admin/people/{peer.id}/reactivate", data={"csrf_token": token}).status_code == 303
    assert not is_logged_in(thief)  # reactivation does not bring old sessions back
    assert logged_in(app, peer)


def test_saving_a_person_without_changes_keeps_their_sessions(app, make_user, admin):
    peer = make_user("peer")
    client, _ = logged_in(app, peer)
    admin_client, token = admin
    with app.app_context():
        person = db.session.get(User, peer.id)
        form = {
            "csrf_token": token,
            "name": person.name,
            "email": person.email,
            "roles": ["peer"],
            "team": str(person.team_id),
            "joined_on": person.joined_on.isoformat(),
        }
    assert admin_client.post(f"/admin/people/{peer.id}", data=form).status_code == 303
    assert is_logged_in(client)
