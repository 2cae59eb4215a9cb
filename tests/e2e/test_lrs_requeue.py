"""An admin sends the agency's dead xAPI statements again from the LRS page: in place with
htmx, as a whole-page round trip without JavaScript."""

import uuid

import pytest

from tests.e2e.support import BROWSER_MISSING

if BROWSER_MISSING:
    pytest.skip(BROWSER_MISSING, allow_module_level=True)

import sqlalchemy as sa  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from lms.extensions import db  # noqa: E402
from lms.models import LrsConnection, XapiStatement  # noqa: E402
from lms.services.outbox import MAX_ATTEMPTS  # noqa: E402
from tests.e2e.support import sign_in  # noqa: E402

pytestmark = pytest.mark.e2e
MARKER = "window.__e2eSamePage"


@pytest.fixture
def dead_statements(live_server):
    """The live agency has an LRS and two statements that died; both are gone after the test."""
    app, agency_id = live_server.app, live_server.agency_id
    with app.app_context():
        db.session.add(
            LrsConnection(
                agency_id=agency_id,
                endpoint="https://lrs.example.org/xAPI",
                key="agency-key",
                secret_encrypted=app.extensions["vault"].encrypt("agency-secret"),
                actor_namespace=str(uuid.uuid4()),
            )
        )
        rows = [
            XapiStatement(
                agency_id=agency_id,
                event_key=f"e2e-dead:{number}",
                statement_id=str(uuid.uuid4()),
                statement={},
                status="dead",
                attempts=MAX_ATTEMPTS,
                last_error="LrsUnreachable: HTTP 503 Service Unavailable",
            )
            for number in range(2)
        ]
        db.session.add_all(rows)
        db.session.commit()
        ids = [row.id for row in rows]
    yield ids
    with app.app_context():
        db.session.execute(sa.delete(XapiStatement).where(XapiStatement.id.in_(ids)))
        db.session.execute(sa.delete(LrsConnection).where(LrsConnection.agency_id == agency_id))
        db.session.commit()


def statuses(live_server, ids):
    with live_server.app.app_context():
        return sorted(db.session.scalars(sa.select(XapiStatement.status).where(XapiStatement.id.in_(ids))))


def test_dead_statements_are_sent_again_in_place_with_javascript(page, live_server, make_person, dead_statements, axe_scan):
    sign_in(page, make_person("admin"))
    page.goto("/admin/lrs")
    records = page.locator("#records")
    expect(records).to_contain_text("Could not be sent: 2")
    assert axe_scan(page, "LRS page with dead statements") == []
    page.evaluate(f"{MARKER} = true")
    page.get_by_role("button", name="Send the dead statements again").click()
    expect(records.get_by_role("status")).to_have_text("2 dead statements are back in the queue, to be sent again.")
    expect(records).to_contain_text("Could not be sent: 0")
    expect(page.get_by_role("button", name="Send the dead statements again")).to_have_count(0)
    assert page.evaluate(f"{MARKER} === true"), "sending the statements again reloaded the whole page"
    assert statuses(live_server, dead_statements) == ["queued", "queued"]


def test_dead_statements_are_sent_again_without_javascript(new_context, live_server, make_person, dead_statements):
    page = new_context("desktop", java_script_enabled=False).new_page()
    sign_in(page, make_person("admin"))
    page.goto("/admin/lrs")
    page.get_by_role("button", name="Send the dead statements again").click()
    expect(page.get_by_role("main")).to_contain_text("2 dead statements are back in the queue, to be sent again.")
    expect(page.get_by_role("main")).to_contain_text("Could not be sent: 0")
    assert page.url.endswith("/admin/lrs")
    assert statuses(live_server, dead_statements) == ["queued", "queued"]
