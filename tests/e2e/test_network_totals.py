"""A network admin's totals in a real browser: the SVG chart and its table, without script, and axe-clean."""

from datetime import datetime, timezone

import pytest

from tests.e2e.support import BROWSER_MISSING, PASSWORD, Person, sign_in

if BROWSER_MISSING:
    pytest.skip(BROWSER_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from lms.extensions import db  # noqa: E402
from lms.models import CourseCompletion, NetworkMembership, User  # noqa: E402
from lms.services import networks  # noqa: E402

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def network(live_server):
    """A network with the live server's agency in it, six of its people done with a course this year."""
    people = [live_server.make_person("peer") for _ in range(6)]
    with live_server.app.app_context():
        network = networks.create_network("E2E Valley Network")
        admin = networks.add_network_admin(network, "network-e2e@e2e.example.org", "Val Network", None)
        admin.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        db.session.add(NetworkMembership(network_id=network.id, agency_id=live_server.agency_id, status="member"))
        for person in people:
            user = db.session.scalar(db.select(User).where(User.email == person.email))
            db.session.add(
                CourseCompletion(
                    user_id=user.id,
                    course_slug="starting-out",
                    course_title="Starting out as a peer",
                    course_version="v1",
                    completed_at=datetime.now(timezone.utc),
                    ce_hours=1.5,
                )
            )
        db.session.commit()
        # Other browser tests complete courses in the same agency too: count what the page will.
        this_year = datetime(datetime.now(timezone.utc).year, 1, 1, tzinfo=timezone.utc)
        shared = list(live_server.app.extensions["catalog"].courses)
        completions, hours = db.session.execute(
            db.select(db.func.count(), db.func.sum(CourseCompletion.ce_hours))
            .join(User, User.id == CourseCompletion.user_id)
            .where(
                User.agency_id == live_server.agency_id,
                CourseCompletion.course_slug.in_(shared),
                CourseCompletion.voided_at.is_(None),
                CourseCompletion.completed_at >= this_year,
            )
        ).one()
        return {
            "id": network.id,
            "admin": Person(email=admin.email, name=admin.name),
            "names": [p.name for p in people],
            "completions": completions,
            "hours": f"{hours:g}",
        }


def test_the_network_page_shows_a_chart_and_its_table_and_passes_axe(page, network, axe_scan):
    sign_in(page, network["admin"])
    page.goto(f"/network/{network['id']}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("E2E Valley Network: training totals")
    chart = page.get_by_role("img", name="Completions in")
    expect(chart).to_be_visible()
    expect(page.get_by_role("img", name="Completions by month")).to_be_visible()
    by_agency = page.get_by_role("table", name="By agency: all courses")
    agency_row = by_agency.get_by_role("row", name="Riverside Community Services")
    expect(agency_row.get_by_role("cell")).to_contain_text([str(network["completions"]), network["hours"]])
    expect(by_agency.get_by_role("row", name="All agencies").get_by_role("cell")).to_contain_text(
        [str(network["completions"]), network["hours"]]
    )
    expect(page.locator("svg .chart-bar").first).to_be_visible()
    text = page.content()
    for name in network["names"]:
        assert name not in text  # counts only, never people
    failing = axe_scan(page, "network totals")
    assert not failing, "\n".join(failing)


def test_the_charts_need_no_script(new_context, network):
    page = new_context("phone", java_script_enabled=False).new_page()
    sign_in(page, network["admin"])
    page.goto(f"/network/{network['id']}/?course=starting-out")
    expect(page.get_by_role("img", name="Completions by month")).to_be_visible()
    expect(page.get_by_role("table", name="By agency: Starting out as a peer")).to_be_visible()
    expect(page.locator("svg .chart-bar").first).to_be_visible()


def test_a_network_admin_finds_no_agency_page(new_context, network):
    page = new_context("desktop").new_page()
    sign_in(page, network["admin"])
    page.goto("/")
    expect(page).to_have_url(f"{page.url.split('/network/')[0]}/network/{network['id']}/")
    assert page.goto("/admin/people").status == 404
    assert page.goto("/learn/").status == 404
