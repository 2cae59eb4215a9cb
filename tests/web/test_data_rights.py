"""Data rights: a person downloads everything held about them; an admin erases them, and
afterwards no page, export or database row holds their name or writing; certificates follow
the agency's retention setting; `flask retention apply` deletes lapsed private writing."""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from markupsafe import escape

from lms.extensions import db
from lms.mail import Mail
from lms.models import (
    Agency,
    AuditEvent,
    Certificate,
    CourseEvaluation,
    OutgoingMail,
    Reflection,
    SelfCarePlan,
    User,
    utcnow,
)
from lms.services import certificates as certificate_service
from lms.services import outbox
from lms.services.accounts import create_user
from lms.services.private_writing import save_plan, save_reflection
from tests.conftest import PASSWORD, Auth
from tests.web.helpers import COURSE, GOOD_EVALUATION, finish_lessons, pass_check, pdf_text


class Canaries:
    """Text only this test's person has, so that finding it anywhere means a leak."""

    def __init__(self):
        tag = secrets.token_hex(4)
        self.name = f"Robin Quillfeather {tag}"
        self.email = f"robin.quill.{tag}@example.org"
        self.reflection = f"reflection-canary-{tag}: my own story helps when I pick the moment"
        self.plan = f"plan-canary-{tag}: a walk by the river after hard visits"
        self.licence = f"LIC-{tag}-77"
        self.comment = f"feedback-canary-{tag}"

    @property
    def private(self):
        return [self.reflection, self.plan]

    @property
    def identifying(self):
        return [self.name, self.email, self.licence, *self.private]


@pytest.fixture
def admin(make_user):
    return make_user("admin", team=None)


def _person(app, agency, teams, canaries, *, password=PASSWORD):
    with app.app_context():
        user = create_user(
            db.session.get(Agency, agency.id),
            canaries.email,
            canaries.name,
            ["peer"],
            password,
            db.session.get(type(teams["North"]), teams["North"].id),
        )
        db.session.commit()
        return user


@pytest.fixture
def canaries():
    return Canaries()


@pytest.fixture
def learner(app, agency, teams, canaries, admin):
    """A peer with everything: created by the admin's form (audit entry, invitation mail), a
    licence, a reflection, a self-care plan, a passed check, a certificate, course feedback."""
    admin_client = app.test_client()
    admin_auth = Auth(admin_client)
    admin_auth.login(admin)
    created = admin_client.post(
        "/admin/people",
        data={
            "name": canaries.name,
            "email": canaries.email,
            "roles": "peer",
            "team": str(teams["North"].id),
            "joined_on": "2026-01-05",
            "csrf_token": admin_auth.token(),
        },
    )
    assert created.status_code == 303, created.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == canaries.email))
        user.set_password(PASSWORD)
        db.session.commit()
        save_plan(app.extensions["vault"], user.id, {"warning-signs": canaries.plan}, None)
        db.session.commit()
    client = app.test_client()
    auth = Auth(client)
    assert auth.login(user).status_code == 303
    token = auth.token()
    assert (
        client.post(
            "/account/licences", data={"kind": "CPS", "number": canaries.licence, "issuer": "State Board", "csrf_token": token}
        ).status_code
        == 303
    )
    assert (
        client.post(COURSE + "lessons/supervision/reflection", data={"reflection": canaries.reflection, "csrf_token": token}).status_code
        == 303
    )
    finish_lessons(client, token)
    assert pass_check(client, token).status_code == 303
    assert client.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "comment": canaries.comment, "csrf_token": token}).status_code == 303
    return user, client, token


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def _data_url(user_id):
    return f"/people/{user_id}/data.zip"


# Download my data


def test_a_learner_downloads_everything_held_about_them(app, learner, canaries):
    user, client, token = learner
    assert "Download my data" in client.get("/account/").get_data(as_text=True)
    package = _zip(client.post(_data_url(user.id), data={"csrf_token": token}))
    document = json.loads(package.read("my-data.json"))

    assert document["profile"]["name"] == canaries.name
    assert document["profile"]["email"] == canaries.email
    assert [item["text"] for item in document["reflections"]] == [canaries.reflection]
    assert document["self_care_plan"]["sections"] == {"warning-signs": canaries.plan}
    assert [item["number"] for item in document["licences"]] == [canaries.licence]
    assert document["course_completions"][0]["course"] == "starting-out"
    assert any(attempt["passed"] for attempt in document["knowledge_check_attempts"])
    assert len(document["lesson_progress"]) == 3
    # Feedback is anonymous: left out, and the file says so.
    assert canaries.comment not in json.dumps(document)
    assert any("feedback" in note for note in document["about_this_file"]["not_included"])

    (certificate,) = document["certificates"]
    assert certificate["status"] == "valid"
    pdf = package.read(certificate["pdf"])
    assert canaries.name in pdf_text(pdf) and certificate["code"] in pdf_text(pdf)


def test_downloading_my_data_needs_the_form_token(app, learner):
    user, client, _ = learner
    assert client.post(_data_url(user.id)).status_code == 400


def test_an_admin_produces_a_persons_data_on_request_and_it_is_audit_logged(app, client, admin, learner, canaries):
    user, _, _ = learner
    auth = Auth(client)
    auth.login(admin)
    page = client.get(f"/admin/people/{user.id}").get_data(as_text=True)
    assert f"Download {canaries.name}’s data" in page
    package = _zip(client.post(_data_url(user.id), data={"csrf_token": auth.token()}))
    assert json.loads(package.read("my-data.json"))["reflections"][0]["text"] == canaries.reflection
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "person.data_download"))
        assert event.actor_id == admin.id and event.subject == canaries.email


@pytest.mark.parametrize("who", ["supervisor", "other_peer", "other_admin"])
def test_nobody_else_gets_a_persons_data(app, client, make_user, teams, learner, who):
    user, _, _ = learner
    if who == "supervisor":
        outsider = make_user("supervisor", team=None)
        with app.app_context():
            row = db.session.get(User, outsider.id)
            row.supervised_teams.append(db.session.get(type(teams["North"]), teams["North"].id))
            db.session.commit()
    elif who == "other_peer":
        outsider = make_user("peer")
    else:
        with app.app_context():
            elsewhere = Agency(name=f"Elsewhere {secrets.token_hex(3)}")
            db.session.add(elsewhere)
            db.session.commit()
            elsewhere_id = elsewhere.id
        outsider = make_user("admin", team=None, agency_id=elsewhere_id)
    auth = Auth(client)
    auth.login(outsider)
    assert client.post(_data_url(user.id), data={"csrf_token": auth.token()}).status_code == 404


# Erasure


def _erase(app, client, admin, user_id, typed):
    auth = Auth(client)
    auth.login(admin)
    return client.post(f"/admin/people/{user_id}/erase", data={"confirm_name": typed, "csrf_token": auth.token()})


def test_erasing_needs_the_persons_name_typed_and_the_form_token(app, client, admin, learner, canaries):
    user, _, _ = learner
    auth = Auth(client)
    auth.login(admin)
    confirm = client.get(f"/admin/people/{user.id}/erase").get_data(as_text=True)
    assert "cannot be undone" in confirm and canaries.name in confirm
    no_token = client.post(f"/admin/people/{user.id}/erase", data={"confirm_name": canaries.name})
    assert no_token.status_code == 400
    wrong = client.post(f"/admin/people/{user.id}/erase", data={"confirm_name": "Robin", "csrf_token": auth.token()})
    assert wrong.status_code == 422 and "Type the person’s name exactly" in wrong.get_data(as_text=True)
    yourself = client.post(f"/admin/people/{admin.id}/erase", data={"confirm_name": "Test Admin", "csrf_token": auth.token()})
    assert yourself.status_code == 422 and "your own account" in yourself.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).erased_at is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Reflection).where(Reflection.user_id == user.id))


def _rows_holding(app, words) -> list[tuple[str, str, str]]:
    """(table, column, word) for every stored value that holds one of the words: a real scan of
    every row of every table, on SQLite and PostgreSQL alike."""
    found = []
    lowered = [word.lower() for word in words]
    with app.app_context(), db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for row in connection.execute(table.select()).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    if isinstance(value, (bytes, memoryview)):
                        text = bytes(value).decode("latin-1").lower()
                    else:
                        text = (json.dumps(value) if isinstance(value, (dict, list)) else str(value)).lower()
                    found += [(table.name, column, word) for word, low in zip(words, lowered) if low in text]
    return found


def _database_file_bytes(app) -> bytes:
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _pages_an_admin_and_supervisor_see(app, admin_client, user_id) -> str:
    pages = [
        "/admin/people",
        "/admin/people?q=robin",
        "/admin/audit",
        "/admin/certificates",
        "/admin/mail",
        "/admin/compliance.csv",
        "/admin/certificates/export.zip",
        "/admin/",
        f"/admin/audit?actor={user_id}",
    ]
    texts = []
    for path in pages:
        response = admin_client.get(path)
        assert response.status_code == 200, path
        body = response.data
        if response.mimetype == "application/zip":
            package = zipfile.ZipFile(io.BytesIO(body))
            body = b"".join(package.read(name) for name in package.namelist() if name.endswith(".csv"))
        texts.append(body.decode("utf-8", "replace"))
    return "\n".join(texts)


@pytest.mark.parametrize("retention", ["keep", "withdraw"])
def test_after_erasure_nothing_holds_their_name_or_writing(app, client, admin, agency, learner, canaries, retention):
    user, learner_client, _ = learner
    with app.app_context():
        db.session.get(Agency, agency.id).certificate_retention = retention
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == user.id))
        certificate_id, code = certificate.id, certificate.code
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail).where(OutgoingMail.recipient == canaries.email)) == 1
        )  # the invitation, still waiting
        db.session.commit()
    assert _rows_holding(app, canaries.identifying), "the canaries were never stored: this test would prove nothing"
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    if sqlite:
        assert canaries.email.encode() in _database_file_bytes(app), "the grep below would prove nothing"

    erased = _erase(app, client, admin, user.id, f"  {canaries.name.upper()} ")
    assert erased.status_code == 303
    flash_page = client.get(erased.headers["Location"]).get_data(as_text=True)
    assert "The person is erased" in flash_page and canaries.name not in flash_page

    # Their session is over and they cannot log in again.
    assert learner_client.get("/learn/").status_code == 302
    assert Auth(app.test_client()).login(user).status_code != 303

    # Rows: the name is left only where the retention setting keeps it, on the certificate.
    leftovers = _rows_holding(app, canaries.identifying)
    if retention == "keep":
        assert leftovers == [("certificate", "learner_name", canaries.name)]
    else:
        assert leftovers == []
    with app.app_context():
        person = db.session.get(User, user.id)
        assert person.erased_at is not None and not person.active and person.name.startswith("erased-")
        audit_subjects = set(db.session.scalars(sa.select(AuditEvent.subject)))
        assert person.name in audit_subjects  # person.create and friends now name the opaque id
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "person.erase")).subject == person.name
        # Anonymous feedback stays, for the course's figures.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseEvaluation).where(CourseEvaluation.user_id == user.id)) == 1
        certificate = db.session.get(Certificate, certificate_id)
        revoked_ids = certificate_service.revoked_ids(agency.id, 0, certificate_id + 1)

    # Pages, CSV and ZIP exports an admin sees.
    admin_client = app.test_client()
    Auth(admin_client).login(admin)
    seen = _pages_an_admin_and_supervisor_see(app, admin_client, user.id)
    for word in canaries.identifying:
        assert word not in seen, word
    assert admin_client.get(f"/admin/people/{user.id}").status_code == 404

    # Public verification follows the setting.
    verified = app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    if retention == "keep":
        assert "This certificate is valid" in verified and canaries.name in verified
        assert certificate.withdrawn_at is None and certificate_id not in revoked_ids
    else:
        assert "removed" in verified and "at the holder’s request" in verified
        assert canaries.name not in verified
        assert certificate.withdrawn_at is not None and certificate_id in revoked_ids

    if sqlite:
        stored = _database_file_bytes(app)
        for word in [canaries.email, *canaries.private, canaries.licence]:
            assert stored.count(word.encode()) == 0, f"{word} is still in the database file"
        # Only the kept certificate's one copy of the name, and none when withdrawn.
        assert stored.count(canaries.name.encode()) == (1 if retention == "keep" else 0)


def test_an_admin_cannot_be_erased_by_another_agency(app, client, make_user, learner):
    user, _, _ = learner
    with app.app_context():
        elsewhere = Agency(name=f"Far Away {secrets.token_hex(3)}")
        db.session.add(elsewhere)
        db.session.commit()
        elsewhere_id = elsewhere.id
    stranger = make_user("admin", team=None, agency_id=elsewhere_id)
    assert _erase(app, client, stranger, user.id, "whatever").status_code == 404


# The retention job


def test_retention_deletes_private_writing_of_people_deactivated_long_ago(app, runner, agency, teams):
    vault = app.extensions["vault"]
    with app.app_context():
        db.session.get(Agency, agency.id).writing_retention_days = 30
        people = {}
        for label, days_ago in (("long-gone", 31), ("just-left", 29), ("active", None)):
            person = create_user(
                db.session.get(Agency, agency.id), f"{label}-{secrets.token_hex(3)}@example.org", label, ["peer"], PASSWORD
            )
            db.session.flush()
            if days_ago is not None:
                person.active, person.deactivated_at = False, utcnow() - timedelta(days=days_ago)
            save_reflection(vault, person.id, "starting-out", "welcome", f"{label} wrote this")
            save_plan(vault, person.id, {"warning-signs": f"{label} plan"}, None)
            people[label] = person.id
        db.session.commit()

    result = runner.invoke(args=["retention", "apply"])
    assert result.exit_code == 0, result.output
    assert "Deleted the private writing of 1 person" in result.output

    with app.app_context():
        writers = set(db.session.scalars(sa.select(Reflection.user_id))) | set(db.session.scalars(sa.select(SelfCarePlan.user_id)))
        assert people["long-gone"] not in writers
        assert {people["just-left"], people["active"]} <= writers
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "retention.private_writing"))


def test_deactivating_starts_the_retention_clock_and_reactivating_stops_it(app, client, admin, make_user):
    person = make_user("peer")
    auth = Auth(client)
    auth.login(admin)
    client.post(f"/admin/people/{person.id}/deactivate", data={"csrf_token": auth.token()})
    with app.app_context():
        assert db.session.get(User, person.id).deactivated_at is not None
    client.post(f"/admin/people/{person.id}/reactivate", data={"csrf_token": auth.token()})
    with app.app_context():
        assert db.session.get(User, person.id).deactivated_at is None


def test_kept_certificates_are_withdrawn_when_their_years_are_up(app, runner, client, admin, agency, learner, canaries):
    user, _, _ = learner
    with app.app_context():
        db.session.get(Agency, agency.id).certificate_retention_years = 2
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == user.id))
        certificate_id = certificate.id
        db.session.commit()
    assert _erase(app, client, admin, user.id, canaries.name).status_code == 303
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        assert certificate.withdrawn_at is None and certificate.learner_name == canaries.name
        certificate.completed_on = certificate.completed_on.replace(year=certificate.completed_on.year - 3)
        db.session.commit()
    result = runner.invoke(args=["retention", "apply"])
    assert result.exit_code == 0 and "withdrew 1 certificate" in result.output
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        assert certificate.withdrawn_at is not None and certificate.learner_name == ""
    assert _rows_holding(app, [canaries.name]) == []


# Settings


def test_privacy_settings_are_saved_and_checked(app, client, admin, agency):
    auth = Auth(client)
    auth.login(admin)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "When you erase a person at their request, their certificates" in page
    form = {
        "name": "Test Agency",
        "default_pass_mark": "80",
        "reminder_days_before": "7",
        "certificate_retention": "withdraw",
        "certificate_retention_years": "3",
        "writing_retention_days": "45",
        "csrf_token": auth.token(),
    }
    assert client.post("/admin/settings", data=form).status_code == 303
    with app.app_context():
        saved = db.session.get(Agency, agency.id)
        assert (saved.certificate_retention, saved.certificate_retention_years, saved.writing_retention_days) == ("withdraw", 3, 45)
    refused = client.post("/admin/settings", data={**form, "certificate_retention": "shred", "writing_retention_days": "0"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Choose what happens to an erased person’s certificates." in text and "Enter a whole number from 1 to 3650" in text


def test_mail_to_others_that_names_the_person_keeps_going_without_the_name(app, client, admin, agency, learner, canaries):
    user, _, _ = learner
    with app.app_context():
        outbox.queue(
            Mail(
                "supervisor@example.org",
                f"Weekly digest: {canaries.name} is overdue",
                f"{canaries.name} has 1 course overdue.",
                f"<p>{escape(canaries.name)} has 1 course overdue.</p>",
            ),
            "digest",
            agency.id,
        )
        db.session.commit()
    assert _erase(app, client, admin, user.id, canaries.name).status_code == 303
    with app.app_context():
        (digest,) = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.kind == "digest")).all()
        body = app.extensions["vault"].decrypt(digest.body_encrypted)
        erased_as = db.session.get(User, user.id).name
        assert canaries.name not in digest.subject + body and erased_as in digest.subject and erased_as in body
