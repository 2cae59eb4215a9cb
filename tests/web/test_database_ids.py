"""An id in a URL too large for the database's id columns is a page that does not exist."""

import pytest
from werkzeug.exceptions import NotFound

from tests.conftest import Auth

TOO_LARGE = ["2147483648", "99999999999999999999"]  # past PostgreSQL's INTEGER, past any 64-bit integer


@pytest.mark.parametrize("number", TOO_LARGE)
def test_a_page_with_an_id_too_large_is_not_found(app, make_user, number):
    client = app.test_client()
    Auth(client).login(make_user("admin"))
    assert client.get(f"/admin/people/{number}").status_code == 404
    token = Auth(client).token("/admin/people")
    assert client.post(f"/admin/people/{number}/deactivate", data={"csrf_token": token}).status_code == 404


def test_the_largest_id_still_reaches_the_view(app):
    urls = app.url_map.bind("localhost")
    assert urls.match("/admin/people/2147483647") == ("admin.show_person", {"user_id": 2147483647})
    with pytest.raises(NotFound):
        urls.match("/admin/people/2147483648")


@pytest.mark.parametrize("number", TOO_LARGE)
def test_an_in_person_training_named_with_an_id_too_large_is_not_found(client, agency, number):
    """The id comes from the slug (`training-<id>`), past the URL converter."""
    assert client.get(f"/agencies/{agency.id}/courses/training-{number}").status_code == 404
