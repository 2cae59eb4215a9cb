"""A supervisor sends one person a reminder from the team table: in place with htmx, as a
whole-page round trip without JavaScript; a second click sends nothing more."""

import pytest

from tests.e2e.support import BROWSER_MISSING

if BROWSER_MISSING:
    pytest.skip(BROWSER_MISSING, allow_module_level=True)

import sqlalchemy as sa  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from lms.extensions import db  # noqa: E402
from lms.models import OutgoingMail, User  # noqa: E402
from tests.e2e.support import sign_in  # noqa: E402

pytestmark = pytest.mark.e2e
MARKER = "window.__e2eSamePage"


def queued_reminders(live_server, person) -> int:
    with live_server.app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == person.email))
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutgoingMail)
            .where(OutgoingMail.user_id == user_id, OutgoingMail.kind == "supervisor-reminder")
        )


def test_reminder_is_sent_in_place_with_javascript(page, live_server, make_person, make_supervisor):
    learner = make_person("peer")
    sign_in(page, make_supervisor())
    page.goto("/supervise/")
    page.evaluate(f"{MARKER} = true")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=learner.name))
    row.get_by_role("button", name=f"Send a reminder to {learner.name}").click()
    expect(row.get_by_role("status")).to_have_text(f"Reminder sent to {learner.name}.")
    assert page.evaluate(f"{MARKER} === true"), "sending a reminder reloaded the whole page"
    row.get_by_role("button", name=f"Send a reminder to {learner.name}").click()  # a second click
    expect(row.get_by_role("status")).to_have_text(f"Not sent: {learner.name} got a reminder less than a day ago.")
    assert queued_reminders(live_server, learner) == 1


def test_reminder_works_without_javascript(new_context, viewport, live_server, make_person, make_supervisor):
    page = new_context(viewport, java_script_enabled=False).new_page()
    learner = make_person("peer")
    sign_in(page, make_supervisor())
    page.goto("/supervise/?sort=name")
    page.get_by_role("button", name=f"Send a reminder to {learner.name}").click()
    expect(page.get_by_role("main")).to_contain_text(f"A reminder is on its way to {learner.name} ({learner.email}).")
    assert "sort=name" in page.url
    assert queued_reminders(live_server, learner) == 1
