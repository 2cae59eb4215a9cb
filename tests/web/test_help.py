"""The Help page and the agency's support contact: set in the settings, shown in the footer
of every page (the kept lesson page too) and on the Help page; only to the agency's own people."""

import html
import re

from lms.extensions import db
from lms.models import Agency
from tests.conftest import Auth, csrf_token_from
from tests.web.helpers import finish_lessons

SETTINGS = {"name": "Test Agency", "default_pass_mark": "80", "reminder_days_before": "7"}


def text_of(page):
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def save_settings(client, **values):
    token = csrf_token_from(client.get("/admin/settings").get_data(as_text=True))
    return client.post("/admin/settings", data={"csrf_token": token, **SETTINGS, **values})


def test_help_page_is_plain_and_open_to_everyone(client):
    page = client.get("/help")
    assert page.status_code == 200
    text = text_of(page.get_data(as_text=True))
    assert "Help and common questions" in text and "I forgot my password." in text
    assert "Ask your supervisor, or the person at your agency who invited you" in text  # not logged in
    assert 'href="tel:988"' in page.get_data(as_text=True) and "988 Suicide & Crisis Lifeline" in text
    assert "The link works for 1 hour." in text and "An invitation link works for 7 days" in text
    assert 'href="/help"' in client.get("/auth/login").get_data(as_text=True)  # in every page's footer


def test_support_contact_from_settings_shows_in_footer_and_help(app, make_user, agency):
    admin, peer = make_user("admin"), make_user("peer")
    admin_client = app.test_client()
    Auth(admin_client).login(admin)
    response = save_settings(admin_client, support_email="Help@Test-Agency.org", support_phone="(555) 010-0199")
    assert response.status_code == 303
    with app.app_context():
        saved = db.session.get(Agency, agency.id)
        assert (saved.support_email, saved.support_phone) == ("help@test-agency.org", "(555) 010-0199")

    client = app.test_client()
    auth = Auth(client)
    auth.login(peer)
    for path in ("/learn/", "/learn/courses/starting-out/lessons/welcome", "/certificates/"):
        page = client.get(path).get_data(as_text=True)
        assert "Questions about your training? Email" in text_of(page), path
        assert 'href="mailto:help@test-agency.org"' in page and 'href="tel:5550100199"' in page, path
    finish_lessons(client, auth.token())  # the lesson page kept for next time still carries the contact
    assert 'href="mailto:help@test-agency.org"' in client.get("/learn/courses/starting-out/lessons/welcome").get_data(as_text=True)
    help_text = text_of(client.get("/help").get_data(as_text=True))
    assert "For help with your training at Test Agency: Email help@test-agency.org Call (555) 010-0199" in help_text


def test_another_agencys_people_never_see_the_contact(app, make_user, agency):
    admin = make_user("admin")
    admin_client = app.test_client()
    Auth(admin_client).login(admin)
    save_settings(admin_client, support_email="help@test-agency.org")
    with app.app_context():
        other = Agency(name="Other Agency")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    stranger = make_user("peer", team=None, agency_id=other_id, email="stranger@other.example.org")
    client = app.test_client()
    Auth(client).login(stranger)
    for path in ("/learn/", "/learn/courses/starting-out/lessons/welcome", "/help"):
        assert "help@test-agency.org" not in client.get(path).get_data(as_text=True), path
    assert "help@test-agency.org" not in app.test_client().get("/help").get_data(as_text=True)  # nor anyone logged out


def test_bad_support_contact_is_refused_with_a_clear_message(app, make_user):
    admin = make_user("admin")
    client = app.test_client()
    Auth(client).login(admin)
    response = save_settings(client, support_email="not an email", support_phone="call Sam")
    assert response.status_code == 422
    text = text_of(response.get_data(as_text=True))
    assert "Enter an email address, like help@youragency.org, or leave this empty." in text
    assert "Enter a phone number with digits, like 555-010-0199, or leave this empty." in text
    assert 'value="not an email"' in response.get_data(as_text=True)  # what was typed is kept
