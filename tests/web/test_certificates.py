"""Certificates: issued once at completion, PDF facts, QR, verification, revocation, transcript."""

import csv
import io
import json
import subprocess

import jsonschema
import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from lms.config import PROJECT_ROOT
from lms.domain.certificates import normalize_code
from lms.extensions import db
from lms.models import Agency, AuditEvent, Certificate, CourseAccreditation, User
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
    for fact in (peer.name, "Starting out as a peer", f"{certificate.completed_on:%B} {certificate.completed_on.day}",
                 "0.5 estimated contact hours", certificate.code, "Name one thing peers bring to a team."):
        assert fact in text, fact
    assert "approved" not in text.lower()  # no accreditation configured, none claimed
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
    assert barcode.text == f"{app.config['PUBLIC_BASE_URL']}/verify/{certificate.code}"


def test_accreditation_is_shown_only_when_configured(app, client, token, peer, make_user):
    with app.app_context():
        agency = db.session.get(Agency, db.session.get(User, peer.id).agency_id)
        db.session.add(CourseAccreditation(agency_id=agency.id, course_slug="starting-out", provider="Riverside Training",
                                           approval_number="PS-1234", approving_body="State Peer Certification Board"))
        db.session.commit()
    complete_course(client, token)
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
    text = pdf_text(client.get(f"/certificates/{certificate.code}.pdf").data)
    assert "Riverside Training is approved by State Peer Certification Board" in text and "PS-1234" in text
    assert "0.5 contact hours" in text and "estimated" not in text


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
    code = {"lower": certificate.code.lower(), "no dashes": certificate.code.replace("-", ""),
            "spaces": certificate.code.replace("-", " ")}[typed]
    response = public.get("/verify", query_string={"code": code})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{certificate.code}")
    page = public.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "This certificate is valid" in page
    assert certificate.learner_name in page and "Starting out as a peer" in page and "Test Agency" in page
    assert "0.5 estimated contact hours" in page
    assert "@example.org" not in page and "score" not in page.lower()  # nothing beyond the listed facts


def test_unknown_and_malformed_codes(app):
    public = app.test_client()
    response = public.get("/verify/ABCD-EFGH-JKMN-PQRS")
    assert response.status_code == 404 and "No certificate has this code" in response.get_data(as_text=True)
    response = public.get("/verify", query_string={"code": "hello"})
    assert response.status_code == 400 and "That is not a certificate code" in response.get_data(as_text=True)


def test_revocation_with_reason_is_audited_and_shown(app, make_user, certificate):
    admin, token = admin_client(app, make_user)
    refused = admin.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": " ", "csrf_token": token})
    assert refused.status_code == 303
    assert "This certificate is valid" in app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    admin.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "Issued in error", "csrf_token": token})
    page = app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "This certificate was revoked" in page and "Issued in error" not in page
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "certificate.revoke"))
    assert event.subject == certificate.code and event.details["reason"] == "Issued in error"


def test_reissue_after_a_name_change(app, client, make_user, peer, certificate):
    with app.app_context():
        db.session.get(User, peer.id).name = "Sam Rivera-Lopez"
        db.session.commit()
    admin, token = admin_client(app, make_user)
    admin.post(f"/admin/certificates/{certificate.id}/reissue", data={"csrf_token": token})
    with app.app_context():
        old, new = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
    assert old.replaced_by_id == new.id and new.learner_name == "Sam Rivera-Lopez"
    page = app.test_client().get(f"/verify/{old.code}").get_data(as_text=True)
    assert "This certificate was replaced" in page and new.code in page
    assert "Sam Rivera-Lopez" in pdf_text(client.get(f"/certificates/{new.code}.pdf").data)
    assert client.get(f"/certificates/{old.code}.pdf").status_code == 200  # the learner keeps the old file too


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
    assert rows[0] == ["completed_on", "course", "hours", "certificate_code"]
    assert rows[1] == [certificate.completed_on.isoformat(), "Starting out as a peer", "0.5", certificate.code]
    assert rows[-1] == ["total", "", "0.5", ""]
    text = pdf_text(client.get("/certificates/transcript.pdf").data)
    assert "Starting out as a peer" in text and "Total 0.5 hours" in text


def test_open_badge_credential_is_valid(app, client, certificate):
    response = client.get(f"/certificates/{certificate.code}.json")
    document = json.loads(response.data)
    schema = json.loads((PROJECT_ROOT / "docs" / "schemas" / "openbadgecredential-3.0.schema.json").read_text())
    jsonschema.Draft201909Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    assert document["credentialSubject"]["achievement"]["name"] == "Starting out as a peer"
    assert document["credentialSubject"]["creditsEarned"] == 0.5
    assert document["issuer"]["name"] == "Test Agency"
    assert document["id"].endswith(f"/verify/{certificate.code}")


def test_verification_is_rate_limited_with_a_clear_message(make_app, certificate):
    app = make_app(VERIFY_RATE_LIMIT="3 per minute")
    public = app.test_client()
    for _ in range(3):
        assert public.get(f"/verify/{certificate.code}").status_code == 200
    limited = public.get(f"/verify/{certificate.code}")
    assert limited.status_code == 429
    assert "Too many tries" in limited.get_data(as_text=True)
