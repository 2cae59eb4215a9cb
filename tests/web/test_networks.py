"""Networks through the site: invitations, answers, totals, CSV, and a network admin kept out of agencies."""

import csv
import io
from datetime import datetime, timezone

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Agency, AuditEvent, CourseCompletion, NetworkMembership, User
from lms.services import account_links, networks
from tests.conftest import PASSWORD, Auth, csrf_token_from

COURSE = "starting-out"


def logged_in(app, email):
    client = app.test_client()
    assert Auth(client).login(type("Who", (), {"email": email})).status_code == 303
    return client


def token_of(client, path):
    return csrf_token_from(client.get(path).get_data(as_text=True))


def join(app, network_id, agency_id):
    with app.app_context():
        db.session.add(NetworkMembership(network_id=network_id, agency_id=agency_id, status="member"))
        db.session.commit()


def completions(app, agency_id, how_many, month=2, prefix="p"):
    """how_many people of the agency, each with one completion of COURSE in the month."""
    with app.app_context():
        for number in range(how_many):
            person = User(agency_id=agency_id, email=f"{prefix}{number}-{agency_id}@example.org", name=f"Canary {prefix}{number}")
            person.set_roles({"peer"})
            db.session.add(person)
            db.session.flush()
            db.session.add(
                CourseCompletion(
                    user_id=person.id,
                    course_slug=COURSE,
                    course_title="Starting out",
                    course_version="v1",
                    completed_at=datetime(datetime.now().year, month, 3, 12, tzinfo=timezone.utc),
                    ce_hours=1.5,
                )
            )
        db.session.commit()


def test_the_command_line_creates_a_network_and_its_admin(app, runner):
    result = runner.invoke(args=["networks", "create", "Coastal Network"])
    assert result.exit_code == 0 and "slug coastal-network" in result.output
    result = runner.invoke(
        args=["networks", "add-admin", "coastal-network", "--email", "lead@coast.example.org", "--name", "Lee Lead", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "coastal-network" in runner.invoke(args=["networks", "list"]).output
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == "lead@coast.example.org"))
        assert admin.agency_id is None and admin.roles == {"network-admin"}
    refused = runner.invoke(args=["networks", "create", "Coastal Network"])
    assert refused.exit_code != 0 and "taken" in refused.output


def test_an_agency_member_cannot_become_a_network_admin(app, runner, make_user):
    runner.invoke(args=["networks", "create", "Coastal Network"])
    person = make_user("admin")
    result = runner.invoke(args=["networks", "add-admin", "coastal-network", "--email", person.email])
    assert result.exit_code != 0 and "belongs to an agency" in result.output


def test_invite_accept_and_leave_each_side_and_audit(app, network_admin, agency, make_user):
    runner_client = logged_in(app, network_admin["email"])
    pages = f"/network/{network_admin['network_id']}/agencies"
    token = token_of(runner_client, pages)
    refused = runner_client.post(pages, data={"slug": "no-such-agency", "csrf_token": token})
    assert refused.status_code == 422 and "No agency has that short name" in refused.get_data(as_text=True)
    assert runner_client.post(pages, data={"slug": agency.slug, "csrf_token": token}).status_code == 303
    assert "Invited, no answer yet" in runner_client.get(pages).get_data(as_text=True)

    admin = make_user("admin", team=None)
    agency_client = logged_in(app, admin.email)
    page = agency_client.get("/admin/networks").get_data(as_text=True)
    assert "Valley Peer Network" in page and agency.slug in page
    agency_token = csrf_token_from(page)
    network_id = network_admin["network_id"]
    assert agency_client.post(f"/admin/networks/{network_id}/accept", data={"csrf_token": agency_token}).status_code == 303
    assert "Member" in runner_client.get(pages).get_data(as_text=True)
    assert agency_client.post(f"/admin/networks/{network_id}/accept", data={"csrf_token": agency_token}).status_code == 404
    assert agency_client.post(f"/admin/networks/{network_id}/leave", data={"csrf_token": agency_token}).status_code == 303
    assert "Left the network" in runner_client.get(pages).get_data(as_text=True)

    assert runner_client.post(pages, data={"slug": agency.slug, "csrf_token": token}).status_code == 303  # invited again
    assert agency_client.post(f"/admin/networks/{network_id}/decline", data={"csrf_token": agency_token}).status_code == 303
    assert runner_client.post(pages, data={"slug": agency.slug, "csrf_token": token}).status_code == 303
    assert agency_client.post(f"/admin/networks/{network_id}/accept", data={"csrf_token": agency_token}).status_code == 303
    removed = runner_client.post(f"{pages}/{agency.id}/remove", data={"csrf_token": token})
    assert removed.status_code == 303
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.agency_id == agency.id).order_by(AuditEvent.id)).all()
    assert actions == [
        "network.invite",
        "network.accept",
        "network.leave",
        "network.invite",
        "network.decline",
        "network.invite",
        "network.accept",
        "network.remove",
    ]
    log = agency_client.get("/admin/audit").get_data(as_text=True)
    assert "Joined the network Valley Peer Network" in log and "Left the network Valley Peer Network" in log


def test_totals_hide_small_figures_and_the_csv_is_what_the_page_shows(app, network_admin, agency):
    other = None
    with app.app_context():
        other = Agency(name="Hill Agency")
        small = Agency(name="Small Agency")
        db.session.add_all([other, small])
        db.session.commit()
        other_id, small_id = other.id, small.id
    for agency_id in (agency.id, other_id, small_id):
        join(app, network_admin["network_id"], agency_id)
    completions(app, agency.id, 6)
    completions(app, other_id, 9)
    completions(app, small_id, 1)
    client = logged_in(app, network_admin["email"])
    base = f"/network/{network_admin['network_id']}/"
    page = client.get(f"{base}?course={COURSE}").get_data(as_text=True)
    assert "<svg" in page and "fewer than 5" in page and "<table" in page
    assert "Canary" not in page and "example.org" not in page  # no names, no emails, ever

    def by_agency(query):
        rows = list(csv.reader(io.StringIO(client.get(f"{base}totals.csv?{query}").get_data(as_text=True))))
        return {row[1]: row[4] for row in rows if row[0] == "by agency"}, rows

    network_view, rows = by_agency(f"course={COURSE}")
    assert network_view["Small Agency"] == "fewer than 5"
    assert network_view["All agencies"] == "16"
    # The pair of filters whose difference is one person: the total and each agency alone.
    singles = {}
    for agency_id, name in ((agency.id, "Test Agency"), (other_id, "Hill Agency"), (small_id, "Small Agency")):
        _, single_rows = by_agency(f"agency={agency_id}")
        singles[name] = next(row[4] for row in single_rows if row[0] == "by course" and row[1] == "Starting out as a peer")
    both = client.get(f"{base}?agency={small_id}&course={COURSE}").get_data(as_text=True)
    assert "Months are shown for all agencies or for all courses" in both and "Completions by month" not in both
    exact = [value for value in singles.values() if value.isdigit()]
    assert not (network_view["All agencies"].isdigit() and len(exact) == 2), singles
    assert singles["Test Agency"] == "hidden"  # the smallest other figure protects the small one
    for row in rows[1:]:
        assert f">{row[4]}<" in page or row[4] == "" or row[0] != "by agency"


def test_a_network_admin_sees_only_their_own_networks(app, network_admin):
    with app.app_context():
        elsewhere = networks.create_network("Other Network")
        db.session.commit()
        elsewhere_id = elsewhere.id
    client = logged_in(app, network_admin["email"])
    assert client.get(f"/network/{network_admin['network_id']}/").status_code == 200
    for path in (f"/network/{elsewhere_id}/", f"/network/{elsewhere_id}/totals.csv", f"/network/{elsewhere_id}/agencies"):
        assert client.get(path).status_code == 404, path


def test_a_network_admin_gets_404_on_agency_and_person_pages(app, network_admin, agency, make_user):
    peer = make_user("peer")
    join(app, network_admin["network_id"], agency.id)
    client = logged_in(app, network_admin["email"])
    assert client.get("/").headers["Location"].endswith("/network/")
    for path in (
        "/learn/",
        "/admin/",
        "/admin/people",
        f"/admin/people/{peer.id}",
        "/supervise/",
        f"/supervise/people/{peer.id}",
        "/certificates/",
        "/account/",
        "/renewal/",
        "/admin/networks",
    ):
        assert client.get(path).status_code == 404, path


def test_agency_people_cannot_reach_network_pages(app, network_admin, make_user):
    for role in ("peer", "admin"):
        client = logged_in(app, make_user(role).email)
        assert client.get(f"/network/{network_admin['network_id']}/").status_code == 403


def test_a_network_admin_can_get_a_password_reset_mail(app, network_admin):
    with app.test_request_context():
        admin = db.session.scalar(sa.select(User).where(User.email == network_admin["email"]))
        mail = account_links.link_mail(admin, account_links.PASSWORD_RESET)
    assert "/auth/reset/" in mail.text and "your network" in mail.text
