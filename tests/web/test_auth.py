"""Logging in and out."""

from types import SimpleNamespace

import pytest

from lms.extensions import db
from lms.models import User
from tests.conftest import PASSWORD, csrf_token_from


def test_login_page_renders(client):
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert b"<h1>Log in</h1>" in page.data


def test_login_with_right_password_goes_to_my_learning(client, auth, make_user):
    peer = make_user("peer")
    response = auth.login(peer)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert b"My learning" in client.get("/learn/").data


@pytest.mark.parametrize("email_case", ["upper", "spaces"])
def test_login_email_is_case_and_space_insensitive(client, make_user, email_case):
    peer = make_user("peer")
    email = peer.email.upper() if email_case == "upper" else f"  {peer.email} "
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def test_wrong_password_and_unknown_email_get_the_same_answer(client, auth, make_user):
    peer = make_user("peer")
    wrong = auth.login(peer, password="not-the-password")
    unknown = auth.login(SimpleNamespace(email="nobody@example.org"))
    assert wrong.status_code == unknown.status_code == 401
    message = b"That email and password do not match an active account."
    assert message in wrong.data and message in unknown.data
    assert client.get("/learn/").status_code == 302


def test_deactivated_user_cannot_log_in(app, client, auth, make_user):
    peer = make_user("peer")
    with app.app_context():
        db.session.get(User, peer.id).active = False
        db.session.commit()
    assert auth.login(peer).status_code == 401


def test_session_cookie_is_httponly_and_samesite(client, auth, make_user):
    response = auth.login(make_user("peer"))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_without_csrf_token_is_refused(client, make_user):
    peer = make_user("peer")
    response = client.post("/auth/login", data={"email": peer.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/learn/").status_code == 302


def test_next_parameter_only_redirects_within_the_site(client, make_user):
    peer = make_user("peer")
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    data = {"email": peer.email, "password": PASSWORD, "csrf_token": token}
    response = client.post("/auth/login?next=//evil.example/steal", data=data)
    assert response.headers["Location"] == "/"
    client.post("/auth/logout", data={"csrf_token": csrf_token_from(client.get("/learn/").get_data(as_text=True))})
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/login?next=/learn/courses/starting-out/", data={**data, "csrf_token": token})
    assert response.headers["Location"] == "/learn/courses/starting-out/"


def test_logout_needs_a_post_with_a_token(client, auth, make_user):
    auth.login(make_user("peer"))
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/learn/").status_code == 200
    response = client.post("/auth/logout", data={"csrf_token": auth.token()})
    assert response.status_code == 303
    assert client.get("/learn/").status_code == 302
