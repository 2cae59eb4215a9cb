"""Agency settings, role card, required training and the audit log (admin pages)."""

import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from lms.extensions import db
from lms.models import Agency, Assignment, AuditEvent, Team
from tests.conftest import Auth
from tests.web.helpers import pdf_text


def _png() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(picture, "PNG")
    return picture.getvalue()


PNG = _png()
SETTINGS = {
    "name": "Riverside",
    "certificate_signer_name": "Ana Diaz",
    "certificate_signer_title": "Director",
    "ce_provider": "",
    "ce_approval_number": "",
    "ce_approving_body": "",
    "default_pass_mark": "70",
    "reminder_days_before": "5",
}


@pytest.fixture
def admin(app, make_user):
    user = make_user("admin")
    client = app.test_client()
    auth = Auth(client)
    auth.login(user)
    return client, auth.token(), user


def events(app, action):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_settings_save_and_are_audited(app, admin, agency):
    client, token, _ = admin
    response = client.post(
        "/admin/settings", data={**SETTINGS, "csrf_token": token, "logo": (io.BytesIO(PNG), "logo.png")}, content_type="multipart/form-data"
    )
    assert response.status_code == 303
    with app.app_context():
        saved = db.session.get(Agency, agency.id)
        assert (saved.name, saved.default_pass_mark, saved.reminder_days_before) == ("Riverside", 70, 5)
        assert Image.open(io.BytesIO(saved.logo)).size == (40, 20) and saved.logo_mimetype == "image/png"
    [update] = events(app, "settings.update")
    assert update.details["changes"]["default_pass_mark"] == {"from": 80, "to": 70}
    assert client.get("/learn/agency-logo").data == saved.logo


@pytest.mark.parametrize(
    "change, message",
    [
        ({"ce_provider": "Only a provider"}, "needs all three parts"),
        ({"default_pass_mark": "120"}, "from 50 to 100"),
        ({"name": ""}, "needs a name"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(app, admin, agency, change, message):
    client, token, _ = admin
    response = client.post("/admin/settings", data={**SETTINGS, **change, "csrf_token": token})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Agency, agency.id).name == "Test Agency"


def test_a_logo_that_is_not_a_picture_is_refused(admin):
    client, token, _ = admin
    response = client.post(
        "/admin/settings",
        data={**SETTINGS, "csrf_token": token, "logo": (io.BytesIO(b"<svg/>"), "x.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "must be a PNG or JPEG" in response.get_data(as_text=True)


def test_agency_pass_mark_applies_to_checks(app, admin, make_user):
    client, token, _ = admin
    client.post("/admin/settings", data={**SETTINGS, "default_pass_mark": "50", "csrf_token": token})
    from tests.web.helpers import WRONG, finish_lessons, open_check, submit

    learner = app.test_client()
    auth = Auth(learner)
    auth.login(make_user("peer"))
    learner_token = auth.token()
    finish_lessons(learner, learner_token)
    attempt_id, page = open_check(learner)
    assert "You pass with 50% or more" in page
    result = learner.get(submit(learner, learner_token, attempt_id, WRONG).headers["Location"]).get_data(as_text=True)
    assert "Your result: 50%, a pass" in result


def test_role_card_is_sanitized_and_shown_in_lessons(app, admin, make_user):
    client, token, _ = admin
    card = "## What our peers do\n\n- Walk with people to appointments\n\n<script>alert(1)</script>"
    assert client.post("/admin/role-card", data={"role_card": card, "csrf_token": token}).status_code == 303
    learner = app.test_client()
    Auth(learner).login(make_user("peer"))
    page = learner.get("/learn/courses/starting-out/lessons/listening").get_data(as_text=True)
    assert "Walk with people to appointments" in page and "<script>alert(1)" not in page
    assert "What our peer specialists don" not in page  # the default card is replaced
    assert events(app, "role_card.update")


def test_assignment_by_role_is_created_listed_and_removed(app, admin, agency):
    client, token, _ = admin
    form = {
        "course": "starting-out",
        "target": "role",
        "role": "clinician",
        "due_rule": "after-joining",
        "due_days": "30",
        "csrf_token": token,
    }
    assert client.post("/admin/assignments", data=form).status_code == 303
    page = client.get("/admin/assignments").get_data(as_text=True)
    assert "Everyone who is: Clinician" in page and "30 days after joining" in page
    with app.app_context():
        assignment = db.session.scalar(sa.select(Assignment))
    assert client.post(f"/admin/assignments/{assignment.id}/delete", data={"csrf_token": token}).status_code == 303
    assert [e.action for e in events(app, "assignment.create") + events(app, "assignment.delete")] == [
        "assignment.create",
        "assignment.delete",
    ]


def test_bad_assignment_form_keeps_answers_and_explains(admin):
    client, token, _ = admin
    response = client.post(
        "/admin/assignments",
        data={"course": "starting-out", "target": "team", "team_id": "", "due_rule": "date", "due_on": "soon", "csrf_token": token},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a team." in page and "Enter the due date as year-month-day" in page
    assert 'value="starting-out" selected' in page


def test_assigning_another_agencys_team_is_refused(app, admin):
    client, token, _ = admin
    with app.app_context():
        other = Agency(name="Elsewhere")
        db.session.add(other)
        db.session.flush()
        team = Team(agency_id=other.id, name="Theirs")
        db.session.add(team)
        db.session.commit()
    response = client.post(
        "/admin/assignments",
        data={"course": "starting-out", "target": "team", "team_id": str(team.id), "due_rule": "none", "csrf_token": token},
    )
    assert response.status_code == 422


def test_audit_log_lists_and_filters_only_my_agency(app, admin, make_user):
    client, token, _ = admin
    client.post("/admin/settings", data={**SETTINGS, "csrf_token": token})
    client.post("/admin/role-card", data={"role_card": "- x", "csrf_token": token})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Settings changed" in page and "Role card changed" in page
    filtered = client.get("/admin/audit?action=role_card.update").get_data(as_text=True)
    assert "Rewrote the role card of" in filtered and "Changed the settings of" not in filtered
    with app.app_context():
        other = Agency(name="Elsewhere")
        db.session.add(other)
        db.session.commit()
    stranger = make_user("admin", team=None, agency_id=other.id)
    other_client = app.test_client()
    Auth(other_client).login(stranger)
    assert "Rewrote the role card" not in other_client.get("/admin/audit").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/admin/settings", "/admin/role-card", "/admin/assignments", "/admin/audit"])
def test_admin_pages_are_for_admins_only(app, make_user, url):
    client = app.test_client()
    Auth(client).login(make_user("supervisor"))
    assert client.get(url).status_code == 403


def test_audit_entries_read_as_sentences_with_old_and_new_values(app, admin, teams, make_user):
    client, token, _ = admin
    person = make_user("peer", email="sam@example.org")
    with app.app_context():
        from lms.models import User
        from lms.services import people

        user, actor = db.session.get(User, person.id), db.session.get(User, admin[2].id)
        people.change_person(
            user,
            actor,
            people.PersonValues("Sam Rivera", user.email, {"peer"}, db.session.get(Team, teams["South"].id), [], user.joined_on),
        )
        db.session.commit()
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Changed sam@example.org." in page
    assert re.search(r"Team:</span> <del>North</del>.*→.*<ins>South</ins>", page)
    assert re.search(r"Name:</span> <del>Test Peer</del>.*<ins>Sam Rivera</ins>", page)
    assert "{" not in page.split("<tbody>")[1].split("</tbody>")[0]  # no raw dicts


def test_dashboard_counts_and_the_compliance_report(app, admin, agency, make_user):
    client, token, _ = admin
    peer = make_user("peer", email="rae@example.org")
    make_user("peer", email="=cmd@example.org")  # a formula-looking cell stays text
    with app.app_context():
        db.session.add(Assignment(agency_id=agency.id, course_slug="starting-out", role="peer"))
        db.session.commit()
    page = client.get("/admin/").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "3 active people" in text and "2 teams" in text and "0 certificates this year" in text
    assert "2 not started" in text and "0% of 2 required courses" in text
    response = client.get("/admin/compliance.csv")
    assert response.mimetype == "text/csv"
    import csv as csv_module

    rows = list(csv_module.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(row["email"] for row in rows) == ["'=cmd@example.org", peer.email]
    assert {row["course"] for row in rows} == {"Starting out as a peer"}
    assert {row["status"] for row in rows} == {"Not started"}
    text = pdf_text(client.get("/admin/compliance.pdf").data)
    assert "Required training" in text and "Test Peer" in text and "Not started" in text and "2 not started" in text
