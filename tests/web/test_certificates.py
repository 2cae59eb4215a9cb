"""Certificates: issued once at completion, PDF facts, QR, verification, revocation, transcript."""

import csv
import dataclasses
import hashlib
import io
import json
import subprocess
from datetime import date, timedelta

import jsonschema
import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from lms.config import PROJECT_ROOT
from lms.domain.certificates import normalize_code
from lms.extensions import db
from lms.models import Agency, AuditEvent, Certificate, CourseAccreditation, CourseCompletion, OutgoingMail, User
from lms.services import reminders
from tests.conftest import Auth
from tests.web.helpers import COURSE, GOOD_EVALUATION, finish_lessons, pass_check, pdf_text

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def complete_course(client, token):
    finish_lessons(client, token)
    pass_check(client, token)
    client.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "csrf_token": token})


@pytest.fixture
def certificate(app, client, token, peer):
    complete_course(client, token)
    with app.app_context():
        return db.session.scalar(sa.select(Certificate).where(Certificate.user_id == peer.id))


def admin_client(app, make_user):
    other = app.test_client()
    admin = make_user("admin")
    auth = Auth(other)
    auth.login(admin)
    return other, auth.token()


def test_completion_issues_exactly_one_certificate(app, client, token, peer, certificate):
    assert certificate is not None and normalize_code(certificate.code) == certificate.code
    assert certificate.learner_name == peer.name and certificate.course_title == "Starting out as a peer"
    # going through the steps again changes nothing
    pass_check(client, token)
    client.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "csrf_token": token})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1


def test_certificate_pdf_says_what_was_earned(app, client, peer, certificate):
    response = client.get(f"/certificates/{certificate.code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for fact in (
        peer.name,
        "Starting out as a peer",
        f"{certificate.completed_on:%B} {certificate.completed_on.day}",
        "0.5 estimated contact hours",
        certificate.code,
        "Name one thing peers bring to a team.",
    ):
        assert fact in text, fact
    assert "approved" not in text.lower()  # no accreditation configured, none claimed
    day = f"{certificate.completed_on:%B} {certificate.completed_on.day}, {certificate.completed_on.year}"
    assert f"course version of {day}" in text and certificate.course_version not in text  # a date, not a hash
    page = PdfReader(io.BytesIO(response.data)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape


def test_second_download_is_served_from_the_cache(app, client, certificate):
    first = client.get(f"/certificates/{certificate.code}.pdf").data
    with app.app_context():
        cached = db.session.scalar(sa.select(Certificate.pdf).where(Certificate.id == certificate.id))
    assert cached == first
    assert client.get(f"/certificates/{certificate.code}.pdf").data == first


def test_qr_code_decodes_to_the_verification_url(app, client, certificate, tmp_path):
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(client.get(f"/certificates/{certificate.code}.pdf").data)
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(pdf), str(tmp_path / "certificate")], check=True)
    image = Image.open(tmp_path / "certificate.png")
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(ARTIFACTS / "certificate.png")  # for people to look at
    [barcode] = zxingcpp.read_barcodes(image)
    # no PUBLIC_BASE_URL (as on a laptop): the host the request came to
    assert barcode.text == f"http://localhost/verify/{certificate.code}"


def test_public_base_url_wins_over_the_request_host(make_app, certificate):
    app = make_app(PUBLIC_BASE_URL="https://training.agency.example/cg")
    client = app.test_client()
    Auth(client).login(certificate_owner(app, certificate))
    text = pdf_text(client.get(f"/certificates/{certificate.code}.pdf").data)
    # the address may wrap before the code, never inside it
    assert f"https://training.agency.example/cg/verify/{certificate.code}" in text.replace("/verify/ ", "/verify/")
    assert text.count(certificate.code) == 2  # in the address and after "Code", whole both times
    assert "localhost" not in text  # the host this request came to


def certificate_owner(app, certificate):
    with app.app_context():
        return db.session.get(User, certificate.user_id)


def test_accreditation_is_shown_only_when_configured(app, client, token, peer, make_user):
    with app.app_context():
        agency = db.session.get(Agency, db.session.get(User, peer.id).agency_id)
        db.session.add(
            CourseAccreditation(
                agency_id=agency.id,
                course_slug="starting-out",
                provider="Riverside Training",
                approval_number="PS-1234",
                approving_body="State Peer Certification Board",
            )
        )
        db.session.commit()
    complete_course(client, token)
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
    text = pdf_text(client.get(f"/certificates/{certificate.code}.pdf").data)
    assert "Riverside Training is approved by State Peer Certification Board" in text and "PS-1234" in text
    assert "0.5 contact hours" in text and "estimated" not in text
    assert "Certificate of Continuing Education" in text and "Certificate of Completion" not in text


def test_learner_text_is_escaped_in_the_certificate(app, client, make_user):
    user = make_user("peer")
    with app.app_context():
        db.session.get(User, user.id).name = '<img src="file:///etc/passwd"> Robin'
        db.session.commit()
        user = db.session.get(User, user.id)
    auth = Auth(client)
    auth.login(user)
    complete_course(client, auth.token())
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
    text = pdf_text(client.get(f"/certificates/{certificate.code}.pdf").data)
    assert '<img src="file:///etc/passwd"> Robin' in text


@pytest.mark.parametrize("typed", ["lower", "no dashes", "spaces"])
def test_verification_is_public_and_forgiving_about_case_and_dashes(app, certificate, typed):
    public = app.test_client()
    code = {
        "lower": certificate.code.lower(),
        "no dashes": certificate.code.replace("-", ""),
        "spaces": certificate.code.replace("-", " "),
    }[typed]
    response = public.get("/verify", query_string={"code": code})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{certificate.code}")
    page = public.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "This certificate is valid" in page
    assert certificate.learner_name in page and "Starting out as a peer" in page and "Test Agency" in page
    assert "0.5 estimated contact hours" in page
    day = f"{certificate.completed_on:%B} {certificate.completed_on.day}, {certificate.completed_on.year}"
    assert f"Version of {day}" in page and certificate.course_version in page  # the hash, for whoever checks the content
    assert "@example.org" not in page and "score" not in page.lower()  # nothing beyond the listed facts


def test_unknown_and_malformed_codes(app):
    public = app.test_client()
    response = public.get("/verify/ABCD-EFGH-JKMN-PQRS")
    assert response.status_code == 404 and "No certificate has this code" in response.get_data(as_text=True)
    response = public.get("/verify", query_string={"code": "hello"})
    assert response.status_code == 400 and "That is not a certificate code" in response.get_data(as_text=True)


def test_revocation_asks_for_a_reason_holds_and_can_be_undone(app, client, token, make_user, certificate):
    admin, admin_token = admin_client(app, make_user)
    confirm = admin.get(f"/admin/certificates/{certificate.id}/revoke").get_data(as_text=True)
    assert "Revoke certificate" in confirm and certificate.learner_name in confirm
    refused = admin.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": " ", "csrf_token": admin_token})
    assert refused.status_code == 422 and "Give a reason" in refused.get_data(as_text=True)
    assert "This certificate is valid" in app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)

    admin.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "Issued in error", "csrf_token": admin_token})
    page = app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "This certificate was revoked" in page and "Issued in error" not in page
    for suffix in (".pdf", ".json", ".jwt"):  # nobody gets the files any more, not even the learner
        gone = client.get(f"/certificates/{certificate.code}{suffix}")
        assert gone.status_code == 410 and "Issued in error" in gone.get_data(as_text=True), suffix
    mine = client.get("/certificates/").get_data(as_text=True)
    assert "Revoked on" in mine and "Issued in error" in mine and "Earn it again" in mine
    assert "Complete." not in client.get(COURSE).get_data(as_text=True)

    admin.post(f"/admin/certificates/{certificate.id}/undo-revoke", data={"csrf_token": admin_token})
    assert "This certificate is valid" in app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert client.get(f"/certificates/{certificate.code}.pdf").status_code == 200
    assert "Complete." in client.get(COURSE).get_data(as_text=True)
    with app.app_context():
        events = db.session.execute(sa.select(AuditEvent.action, AuditEvent.subject, AuditEvent.details).order_by(AuditEvent.id)).all()
    actions = [(action, subject) for action, subject, _ in events]
    assert ("certificate.revoke", certificate.code) in actions and ("certificate.unrevoke", certificate.code) in actions
    assert events[[a for a, _ in actions].index("certificate.revoke")].details["reason"] == "Issued in error"


def test_a_revoked_course_is_earned_again_in_a_new_round(app, client, token, make_user, certificate):
    admin, admin_token = admin_client(app, make_user)
    admin.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "Check taken by someone else", "csrf_token": admin_token})
    assert "knowledge check" in client.get(COURSE).get_data(as_text=True).lower()
    pass_check(client, token)  # a new pass, after the revocation
    with app.app_context():
        rounds = db.session.execute(sa.select(CourseCompletion.round, CourseCompletion.voided_at).order_by(CourseCompletion.round)).all()
        newest = db.session.scalar(sa.select(Certificate).order_by(Certificate.id.desc()))
    assert [r.round for r in rounds] == [1, 2] and rounds[0].voided_at is not None and rounds[1].voided_at is None
    assert newest.code != certificate.code
    assert client.get(f"/certificates/{newest.code}.pdf").status_code == 200
    assert "Complete." in client.get(COURSE).get_data(as_text=True)
    # the old revocation can no longer be undone: the course was earned again
    admin.post(f"/admin/certificates/{certificate.id}/undo-revoke", data={"csrf_token": admin_token})
    assert "This certificate was revoked" in app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)


def test_reissue_after_a_name_change(app, client, make_user, peer, certificate):
    with app.app_context():
        db.session.get(User, peer.id).name = "Sam Rivera-Lopez"
        # an approval configured after the completion must not reach the re-issued certificate
        agency = db.session.get(Agency, certificate.agency_id)
        agency.ce_provider, agency.ce_approval_number, agency.ce_approving_body = "Later Provider", "LATE-1", "Some Board"
        db.session.commit()
    admin, token = admin_client(app, make_user)
    admin.post(f"/admin/certificates/{certificate.id}/reissue", data={"csrf_token": token})
    with app.app_context():
        old, new = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
    assert old.replaced_by_id == new.id and new.learner_name == "Sam Rivera-Lopez"
    assert new.accreditation is None and new.completed_on == old.completed_on
    page = app.test_client().get(f"/verify/{old.code}").get_data(as_text=True)
    assert "This certificate was replaced" in page and new.code in page
    text = pdf_text(client.get(f"/certificates/{new.code}.pdf").data)
    assert "Sam Rivera-Lopez" in text and "Certificate of Completion" in text and "LATE-1" not in text
    first = f"{old.issued_at:%B} {old.issued_at.day}, {old.issued_at.year}"
    assert "Re-issued on" in text and f"first issued on {first}" in text
    assert client.get(f"/certificates/{old.code}.pdf").status_code == 410  # the replaced file is not served
    assert client.get(f"/certificates/{old.code}.jwt").status_code == 410


def test_admin_of_another_agency_cannot_touch_a_certificate(app, make_user, certificate):
    with app.app_context():
        other = Agency(name="Elsewhere")
        db.session.add(other)
        db.session.commit()
    stranger = make_user("admin", team=None, agency_id=other.id)
    client = app.test_client()
    auth = Auth(client)
    auth.login(stranger)
    token = auth.token()
    assert client.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "x", "csrf_token": token}).status_code == 404
    assert client.post(f"/admin/certificates/{certificate.id}/reissue", data={"csrf_token": token}).status_code == 404
    assert certificate.code not in client.get("/admin/certificates").get_data(as_text=True)


def test_other_learners_cannot_download_a_certificate(app, make_user, certificate):
    client = app.test_client()
    Auth(client).login(make_user("peer"))
    assert client.get(f"/certificates/{certificate.code}.pdf").status_code == 404
    assert client.get(f"/certificates/{certificate.code}.json").status_code == 404


def test_transcript_totals_match_the_completions(app, client, certificate):
    page = client.get("/certificates/").get_data(as_text=True)
    assert certificate.code in page and "Total: 0.5 hours" in page
    rows = list(csv.reader(io.StringIO(client.get("/certificates/transcript.csv").get_data(as_text=True))))
    assert rows[0] == ["completed_on", "course", "hours", "certificate_code", "expires_on", "status"]
    assert rows[1] == [certificate.completed_on.isoformat(), "Starting out as a peer", "0.5", certificate.code, "", "valid"]
    assert rows[-1] == ["total", "", "0.5", "", "", ""]
    text = pdf_text(client.get("/certificates/transcript.pdf").data)
    assert "Starting out as a peer" in text and "Total 0.5 hours" in text


OFFICIAL_SCHEMA = PROJECT_ROOT.parent / "shared" / "schemas" / "openbadges-3.0" / "achievementcredential.schema.json"
VENDORED_SCHEMA = PROJECT_ROOT / "docs" / "schemas" / "ob_v3p0_achievementcredential.schema.json"


def achievement_credential_validator():
    schema = json.loads(VENDORED_SCHEMA.read_text())
    return jsonschema.Draft201909Validator(schema, format_checker=jsonschema.FormatChecker())


def test_vendored_schema_is_the_official_one():
    if not OFFICIAL_SCHEMA.exists():
        pytest.skip(f"the shared copy of the official schema is not beside the project ({OFFICIAL_SCHEMA})")
    assert json.loads(VENDORED_SCHEMA.read_text()) == json.loads(OFFICIAL_SCHEMA.read_text())


def test_open_badge_credential_is_valid(app, client, peer, certificate):
    response = client.get(f"/certificates/{certificate.code}.json")
    document = json.loads(response.data)
    validator = achievement_credential_validator()
    validator.validate(document)
    assert not validator.is_valid({**document, "validFrom": "yesterday"})  # the formats are really checked
    assert document["credentialSubject"]["achievement"]["name"] == "Starting out as a peer"
    assert document["credentialSubject"]["creditsEarned"] == 0.5
    assert document["issuer"]["name"] == "Test Agency"
    assert document["id"].endswith(f"/verify/{certificate.code}")
    [identity] = document["credentialSubject"]["identifier"]
    assert (
        identity["hashed"] is True
        and identity["identityHash"] == "sha256$" + hashlib.sha256((peer.email + identity["salt"]).encode()).hexdigest()
    )
    assert peer.name not in json.dumps(document) and peer.email not in json.dumps(document)
    assert document["credentialStatus"]["type"] == "BitstringStatusListEntry"
    for url in (
        document["issuer"]["id"],
        document["credentialSubject"]["achievement"]["id"],
        document["credentialStatus"]["statusListCredential"],
        document["id"],
    ):
        assert app.test_client().get(url.removeprefix("http://localhost")).status_code == 200, url


def test_verification_is_rate_limited_with_a_clear_message(make_app, certificate):
    app = make_app(VERIFY_RATE_LIMIT="3 per minute")
    public = app.test_client()
    for _ in range(3):
        assert public.get(f"/verify/{certificate.code}").status_code == 200
    limited = public.get(f"/verify/{certificate.code}")
    assert limited.status_code == 429
    assert "Too many tries" in limited.get_data(as_text=True)


# Kinds, licences, wording


def use_course(app, **changes):
    """Change the fixture course for this app only (the catalog is built per app)."""
    catalog = app.extensions["catalog"]
    course = dataclasses.replace(catalog.courses["starting-out"], **changes)
    app.extensions["catalog"] = dataclasses.replace(catalog, courses={**catalog.courses, course.slug: course})


def add_licence(client, token):
    assert (
        client.post(
            "/account/licences",
            data={
                "kind": "CPS",
                "number": "PA-55821",
                "issuer": "Pennsylvania Certification Board",
                "expires_on": "2027-03-31",
                "csrf_token": token,
            },
        ).status_code
        == 303
    )


def save_png(pdf: bytes, tmp_path, name: str) -> None:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(source), str(tmp_path / name)], check=True)
    ARTIFACTS.mkdir(exist_ok=True)
    Image.open(tmp_path / f"{name}.png").save(ARTIFACTS / f"{name}.png")  # for people to look at


def test_continuing_education_certificate_names_the_approval_and_the_licence(app, client, token, peer, tmp_path):
    with app.app_context():
        agency = db.session.get(Agency, db.session.get(User, peer.id).agency_id)
        agency.ce_provider, agency.ce_approval_number = "Riverside Training", "PS-1234"
        agency.ce_approving_body, agency.ce_provider_contact = "State Peer Certification Board", "training@riverside.example"
        agency.certificate_signer_name, agency.certificate_signer_title = "Morgan Lee", "Training Director"
        db.session.commit()
    add_licence(client, token)
    complete_course(client, token)
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
    pdf = client.get(f"/certificates/{certificate.code}.pdf").data
    text = pdf_text(pdf)
    for fact in (
        "Certificate of Continuing Education",
        "CPS PA-55821, Pennsylvania Certification Board",
        "Riverside Training is approved by State Peer Certification Board",
        "PS-1234",
        "0.5 contact hours",
        "Self-paced online course",
        "training@riverside.example",
        "Morgan Lee",
    ):
        assert fact in text, fact
    save_png(pdf, tmp_path, "certificate-continuing-education")
    badge = json.loads(client.get(f"/certificates/{certificate.code}.json").data)
    assert badge["credentialSubject"]["licenseNumber"] == "PA-55821"


def test_completion_certificate_makes_no_ce_claim_and_prints_no_licence(app, client, token, peer, tmp_path):
    add_licence(client, token)
    complete_course(client, token)
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
    assert certificate.licences[0]["number"] == "PA-55821"  # kept, in case an approval applies to a re-issue
    pdf = client.get(f"/certificates/{certificate.code}.pdf").data
    text = pdf_text(pdf)
    assert "Certificate of Completion" in text and "Continuing Education" not in text
    assert "PA-55821" not in text and "approved" not in text.lower() and "0.5 estimated contact hours" in text
    save_png(pdf, tmp_path, "certificate-completion")
    assert "licenseNumber" not in json.loads(client.get(f"/certificates/{certificate.code}.json").data)["credentialSubject"]


def test_one_hour_is_singular_everywhere(app, client, token):
    use_course(app, ce_hours=1.0)
    complete_course(client, token)
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
    assert "1 estimated contact hour " in pdf_text(client.get(f"/certificates/{certificate.code}.pdf").data) + " "
    assert "1 estimated contact hours" not in pdf_text(client.get(f"/certificates/{certificate.code}.pdf").data)
    page = client.get("/certificates/").get_data(as_text=True)
    assert "Total: 1 hour<" in page and "1 hours" not in page
    assert "Total 1 hour" in pdf_text(client.get("/certificates/transcript.pdf").data)
    assert "1 estimated contact hour<" in app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)


# Expiry


def test_expiry_is_frozen_shown_and_verified(app, client, token, peer):
    use_course(app, valid_for_months=12)
    complete_course(client, token)
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
    completed = certificate.completed_on
    assert certificate.expires_on == completed.replace(year=completed.year + 1) or completed.day == 29
    expires = f"{certificate.expires_on:%B} {certificate.expires_on.day}, {certificate.expires_on.year}"
    assert f"Valid until {expires}" in pdf_text(client.get(f"/certificates/{certificate.code}.pdf").data)
    badge = json.loads(client.get(f"/certificates/{certificate.code}.json").data)
    assert badge["validUntil"] == f"{certificate.expires_on.isoformat()}T23:59:59Z"
    achievement_credential_validator().validate(badge)
    page = app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "This certificate is valid" in page and expires in page
    transcript = pdf_text(client.get("/certificates/transcript.pdf").data)
    assert expires in transcript and "Total 0.5 hours" in transcript

    with app.app_context():
        db.session.get(Certificate, certificate.id).expires_on = date.today() - timedelta(days=1)
        db.session.commit()
    yesterday = date.today() - timedelta(days=1)
    page = app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert f"This certificate expired on {yesterday:%B} {yesterday.day}, {yesterday.year}" in page
    assert "This certificate is valid" not in page
    transcript = pdf_text(client.get("/certificates/transcript.pdf").data)
    assert "(expired; not counted)" in transcript and "Total 0 hours" in transcript
    assert "Expired on" in client.get("/certificates/").get_data(as_text=True)


def test_a_reminder_goes_out_once_before_a_certificate_expires(app, client, token, peer):
    use_course(app, valid_for_months=12)
    complete_course(client, token)
    soon = date.today() + timedelta(days=10)
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
        certificate.expires_on = soon
        db.session.commit()
        outgoing = reminders.outgoing_mails(app.extensions["catalog"], date.today())
        [notice] = [item for item in outgoing if item.mail.to == peer.email]
        assert "expires on" in notice.mail.subject and certificate.code in notice.mail.text
        reminders.queue([notice])
        db.session.commit()
        [queued] = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.recipient == peer.email)).all()
        assert queued.status == "queued" and "expires on" in queued.subject  # the outbox sends it
        assert not [item for item in reminders.outgoing_mails(app.extensions["catalog"], date.today()) if item.mail.to == peer.email]
    page = client.get(COURSE).get_data(as_text=True)
    assert "Time to renew" in page  # the course can be earned again before the certificate expires


def test_transcript_names_the_learner_their_licences_the_day_and_the_agency(app, client, token, peer):
    logo = io.BytesIO()
    Image.new("RGB", (120, 40), (31, 95, 139)).save(logo, format="PNG")
    with app.app_context():
        agency = db.session.get(Agency, db.session.get(User, peer.id).agency_id)
        agency.logo, agency.logo_mimetype = logo.getvalue(), "image/png"
        db.session.commit()
    add_licence(client, token)
    complete_course(client, token)
    response = client.get("/certificates/transcript.pdf")
    text = pdf_text(response.data)
    today = date.today()
    for fact in (
        peer.name,
        f"learner ID {peer.id}",
        peer.email,
        "Test Agency",
        "CPS PA-55821, Pennsylvania Certification Board (expires March 31, 2027)",
        f"Produced on {today:%B} {today.day}, {today.year}",
        "no expiry",
        "Total 0.5 hours",
    ):
        assert fact in text, fact
    assert len(PdfReader(io.BytesIO(response.data)).pages[0].images) == 1  # the agency's logo


def test_a_course_approval_wins_over_none_and_is_frozen_at_completion(app, client, token, make_user):
    admin, admin_token = admin_client(app, make_user)
    refused = admin.post(
        "/admin/ce-approvals", data={"course": "starting-out", "provider": "Riverside Training", "csrf_token": admin_token}
    )
    assert refused.status_code == 422 and "enter the ce approval number" in refused.get_data(as_text=True).lower()
    admin.post(
        "/admin/ce-approvals",
        data={
            "course": "starting-out",
            "provider": "Riverside Training",
            "approval_number": "C-77",
            "approving_body": "State Board",
            "csrf_token": admin_token,
        },
    )
    assert "C-77" in admin.get("/admin/ce-approvals").get_data(as_text=True)
    complete_course(client, token)
    admin.post("/admin/ce-approvals/starting-out/delete", data={"csrf_token": admin_token})  # after the completion day
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"ce_approval.set", "ce_approval.remove"} <= actions
    text = pdf_text(client.get(f"/certificates/{certificate.code}.pdf").data)
    assert "Certificate of Continuing Education" in text and "C-77" in text
