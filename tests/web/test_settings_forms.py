"""The forms of the settings, approvals and reports pages: each refusal shows its message and saves nothing."""

import html
import io
from datetime import date

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import (
    Agency,
    AgencyBlock,
    AgencyCourse,
    AuditEvent,
    CourseAccreditation,
    LearningPath,
    LrsConnection,
    NetworkMembership,
    OutgoingMail,
    User,
)
from lms.services.accounts import create_user
from tests.conftest import Auth, csrf_token_from
from tests.web.helpers import logged_in

SETTINGS = {"name": "Riverside", "certificate_signer_name": "Ana Diaz", "default_pass_mark": "70", "reminder_days_before": "5"}
ENDPOINT = "https://lrs.example.org/xAPI"


@pytest.fixture
def admin(app, make_user):
    """(a client logged in as an admin, a CSRF token)."""
    return logged_in(app, make_user("admin"))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audited(app, action) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def refused_with(response, message, status=422):
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == status and message in text, text[-3000:]
    return text


# Agency settings


@pytest.mark.parametrize(
    "change, message",
    [
        ({"support_email": "help at agency"}, "Enter an email address, like help@youragency.org, or leave this empty."),
        ({"support_phone": "call the office"}, "Enter a phone number with digits, like 555-010-0199, or leave this empty."),
        ({"certificate_signer_title": "x" * 201}, "Keep this under 200 characters."),
        ({"name": "   "}, "The agency needs a name."),
        ({"reminder_days_before": "seven"}, "Enter a whole number from 1 to 60."),
        ({"default_pass_mark": "49"}, "Enter a whole number from 50 to 100."),
        ({"certificate_retention_years": ""}, "Enter a whole number from 1 to 50."),
        ({"certificate_retention": ""}, "Choose what happens to an erased person’s certificates."),
        ({"ce_approval_number": "A-1", "ce_approving_body": "State Board"}, "needs all three parts"),
    ],
)
def test_settings_refused_show_why_and_change_nothing(app, admin, agency, change, message):
    client, token = admin
    refused_with(client.post("/admin/settings", data={**SETTINGS, **change, "csrf_token": token}), message)
    with app.app_context():
        assert db.session.get(Agency, agency.id).name == "Test Agency"
    assert audited(app, "settings.update") == 0


def test_a_name_another_agency_uses_is_refused(app, admin, agency):
    with app.app_context():
        db.session.add(Agency(name="Riverside"))
        db.session.commit()
    client, token = admin
    refused_with(client.post("/admin/settings", data={**SETTINGS, "csrf_token": token}), "Another agency already uses the name “Riverside”")
    with app.app_context():
        assert db.session.get(Agency, agency.id).name == "Test Agency"


def test_privacy_settings_left_out_stay_and_the_support_email_is_tidied(app, admin, agency):
    with app.app_context():
        saved = db.session.get(Agency, agency.id)
        saved.certificate_retention, saved.certificate_retention_years, saved.writing_retention_days = "withdraw", 3, 45
        db.session.commit()
    client, token = admin
    form = {**SETTINGS, "support_email": "  Help@Riverside.ORG ", "support_phone": "", "csrf_token": token}
    assert client.post("/admin/settings", data=form).status_code == 303
    with app.app_context():
        saved = db.session.get(Agency, agency.id)
        assert (saved.certificate_retention, saved.certificate_retention_years, saved.writing_retention_days) == ("withdraw", 3, 45)
        assert (saved.support_email, saved.support_phone, saved.certificate_signer_title) == ("help@riverside.org", None, None)


# CE approvals and the role card


APPROVAL = {"course": "starting-out", "provider": "Riverside Training", "approval_number": "C-77", "approving_body": "State Board"}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"course": "made-up"}, "Choose one of the courses in the list."),
        ({"provider": " \n "}, "Enter the CE provider name."),
        ({"approving_body": ""}, "Enter the approving body."),
        ({"approval_number": "9" * 201}, "Keep this under 200 characters."),
    ],
)
def test_course_approvals_refused_show_why_and_save_nothing(app, admin, change, message):
    client, token = admin
    refused_with(client.post("/admin/ce-approvals", data={**APPROVAL, **change, "csrf_token": token}), message)
    assert count(app, CourseAccreditation) == 0


def test_a_course_approval_is_saved_on_one_line(app, admin):
    client, token = admin
    form = {**APPROVAL, "provider": "  Riverside \r\n  Training ", "csrf_token": token}
    assert client.post("/admin/ce-approvals", data=form).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(CourseAccreditation.provider)) == "Riverside Training"


def test_a_role_card_too_long_is_refused(app, admin, agency):
    client, token = admin
    text = refused_with(
        client.post("/admin/role-card", data={"role_card": "- x\n" * 2501, "csrf_token": token}),
        "Keep the role card under 10,000 characters.",
    )
    assert 'aria-invalid="true"' in text  # the field itself says so, not only the summary
    with app.app_context():
        assert db.session.get(Agency, agency.id).role_card_markdown is None
    assert audited(app, "role_card.update") == 0


# The Learning Record Store


@pytest.mark.parametrize(
    "change, message",
    [
        ({"key": "k" * 201}, "Keep the key under 200 characters."),
        ({"secret": "s" * 501}, "Keep the secret under 500 characters."),
        ({"key": ""}, "Enter the key (user name) the LRS gave you."),
    ],
)
def test_lrs_settings_refused_show_why_and_save_nothing(app, admin, change, message):
    client, token = admin
    form = {"endpoint": ENDPOINT, "key": "agency-key", "secret": "a-secret", **change, "csrf_token": token}
    text = refused_with(client.post("/admin/lrs", data=form), message)
    assert "s" * 501 not in text  # a secret is never shown back
    assert count(app, LrsConnection) == 0


# Learning paths


@pytest.mark.parametrize(
    "form, message",
    [
        ({"title": "Orientation", "step-1": "starting-out", "step-2": "starting-out"}, "Each course can be in the path once."),
        ({"title": "Orientation"}, "Choose at least one course."),
        ({"title": "O" * 201, "step-1": "starting-out"}, "Enter a name for the path, such as Peer orientation."),
    ],
)
def test_learning_paths_refused_show_why_and_save_nothing(app, admin, form, message):
    client, token = admin
    refused_with(client.post("/admin/paths", data={**form, "csrf_token": token}), message)
    assert count(app, LearningPath) == 0


def test_a_second_path_with_the_same_name_is_refused(app, admin):
    client, token = admin
    form = {"title": "Peer orientation", "step-1": "starting-out", "csrf_token": token}
    assert client.post("/admin/paths", data=form).status_code == 303
    refused_with(
        client.post("/admin/paths", data={**form, "title": " Peer Orientation "}), "Your agency already has a path with that name."
    )
    assert count(app, LearningPath) == 1


# Certificate export filters (a query string: refused with 400 and the form again, never a ZIP)


@pytest.mark.parametrize(
    "query, message",
    [
        ("team=abc", "Choose one of the teams in the list."),
        ("team=999999", "Choose one of the teams in the list."),
        ("course=made-up", "Choose one of the courses in the list."),
        ("date_from=2026-02-30", "Enter a date like 2026-03-31."),
        ("date_from=2026-03-02&date_to=2026-03-01", "The end date must be on or after the start date."),
        ("status=lost", "Choose one of the statuses in the list."),
    ],
)
def test_export_filters_refused_show_the_form_again(admin, query, message):
    client, _ = admin
    response = client.get(f"/admin/certificates/export.zip?{query}")
    refused_with(response, message, status=400)
    assert response.mimetype == "text/html"


def test_empty_export_filters_give_the_whole_agency(admin):
    client, _ = admin
    response = client.get("/admin/certificates/export.zip?team=&course=&date_from=&date_to=&status=")
    assert response.status_code == 200 and response.mimetype == "application/zip"


# Agency blocks, agency courses, invitations, erasure


def test_an_agency_block_too_long_is_refused_and_line_breaks_are_kept_plain(app, admin):
    client, token = admin
    refused_with(
        client.post("/admin/blocks/crisis-steps", data={"text": "x" * 10_001, "csrf_token": token}), "Keep it under 10,000 characters."
    )
    assert count(app, AgencyBlock) == 0
    assert client.post("/admin/blocks/crisis-steps", data={"text": "## Call\r\n\r\nDana\r\n", "csrf_token": token}).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(AgencyBlock.markdown)) == "## Call\n\nDana"


def test_an_agency_course_needs_a_title_and_an_upload_needs_a_file(app, admin):
    client, token = admin
    refused_with(client.post("/admin/agency-courses", data={"slug": "our-course", "title": " ", "csrf_token": token}), "Enter a title.")
    refused_with(
        client.post("/admin/agency-courses/upload", data={"slug": "our-course", "csrf_token": token}, content_type="multipart/form-data"),
        "Choose a ZIP file of the course folder.",
    )
    refused_with(
        client.post(
            "/admin/agency-courses/upload",
            data={"csrf_token": token, "zip": (io.BytesIO(b"not a zip"), "course.zip")},
            content_type="multipart/form-data",
        ),
        "That file is not a ZIP archive.",
    )
    assert count(app, AgencyCourse) == 0


@pytest.mark.parametrize("ticked", [[], ["abc", "²"]])
def test_resending_invitations_needs_someone_ticked(app, admin, agency, ticked):
    with app.app_context():
        create_user(db.session.get(Agency, agency.id), "new@example.org", "New Person", ["peer"], None)
        db.session.commit()
    client, token = admin
    response = client.post("/admin/invitations", data={"person": ticked, "csrf_token": token}, follow_redirects=True)
    assert "Tick at least one person to send their invitation again." in response.get_data(as_text=True)
    assert count(app, OutgoingMail) == 0


def test_an_erasure_without_the_name_is_refused(app, admin, make_user):
    client, token = admin
    person = make_user("peer")
    text = refused_with(
        client.post(f"/admin/people/{person.id}/erase", data={"confirm_name": "", "csrf_token": token}),
        "to erase them.",
    )
    assert "Not erased" in text
    with app.app_context():
        assert db.session.get(User, person.id).erased_at is None


# Networks


@pytest.fixture
def network_page(app, network_admin):
    """(a client logged in as a network admin, a CSRF token, the agencies page's address)."""
    client = app.test_client()
    assert Auth(client).login(type("Who", (), {"email": network_admin["email"]})).status_code == 303
    page = f"/network/{network_admin['network_id']}/agencies"
    return client, csrf_token_from(client.get(page).get_data(as_text=True)), page


def test_an_invitation_needs_a_slug_and_takes_it_in_any_case(app, network_page, agency):
    client, token, page = network_page
    refused_with(client.post(page, data={"slug": "  ", "csrf_token": token}), "Enter the agency's short name (slug).")
    assert count(app, NetworkMembership) == 0
    assert client.post(page, data={"slug": f" {agency.slug.upper()} ", "csrf_token": token}).status_code == 303
    assert count(app, NetworkMembership) == 1
    refused_with(client.post(page, data={"slug": agency.slug, "csrf_token": token}), "Test Agency is already invited.")


@pytest.mark.parametrize("query", ["year=1999", "year=next", "year=3000&agency=abc"])
def test_totals_filters_out_of_range_show_this_year(network_page, query):
    client, _, page = network_page
    text = client.get(f"{page.removesuffix('agencies')}?{query}").get_data(as_text=True)
    assert f"Completions in {date.today().year}" in text


# The audit log's filters


@pytest.mark.parametrize(
    "query, message",
    [
        ("from=2026-05-01&to=2026-04-01", "“From” must be on or before “To”."),
        ("to=not-a-date", "“To” must be a date, like 2026-03-01."),
        ("from=0001-01-01", "“From” must be a date between 2000 and 9998."),
        ("page=0", "The page number must be a whole number from 1 to 100,000."),
    ],
)
def test_audit_filters_refused_say_why(admin, query, message):
    client, _ = admin
    refused_with(client.get(f"/admin/audit?{query}"), message)
