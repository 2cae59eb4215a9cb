"""Fixtures shared by the page tests: a logged-in peer and their CSRF token."""

import pytest


@pytest.fixture
def peer(make_user, auth):
    user = make_user("peer")
    auth.login(user)
    return user


@pytest.fixture
def token(auth, peer):
    return auth.token()
