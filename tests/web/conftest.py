"""Fixtures shared by the page tests: a logged-in peer and their CSRF token, a network admin."""

import pytest

from lms.extensions import db
from lms.services import networks
from tests.conftest import PASSWORD


@pytest.fixture
def peer(make_user, auth):
    user = make_user("peer")
    auth.login(user)
    return user


@pytest.fixture
def token(auth, peer):
    return auth.token()


@pytest.fixture
def network_admin(app):
    """A network with its admin: {"network_id", "email"} (log in with tests.conftest.PASSWORD)."""
    with app.app_context():
        network = networks.create_network("Valley Peer Network")
        admin = networks.add_network_admin(network, "runs@network.example.org", "Nat Network", PASSWORD)
        db.session.commit()
        return {"network_id": network.id, "email": admin.email}
