"""The audit export: one streamed ZIP of certificate PDFs and a manifest.csv that matches them,
for admins (their agency) and supervisors (their own teams), and from the command line."""

import csv
import io
import zipfile

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Certificate, ProfessionalCredential, Team, User
from lms.services import signing
from lms.services.demo import complete_course_for_demo
from lms.vault import new_key
from tests.conftest import Auth
from tests.web.helpers import pdf_text


@pytest.fixture
def certified(app, make_user):
    """Three learners with a certificate each: two on North, one (with a formula for a name) on South."""
    people = {"north": make_user("peer"), "north2": make_user("peer"), "south": make_user("peer", team="South")}
    names = {"north": "Jordan Rivera", "north2": "Ana María Núñez", "south": '=HYPERLINK("http://x.example")'}
    with app.app_context():
        catalog = app.extensions["catalog"]
        for key, person in people.items():
            user = db.session.get(User, person.id)
            user.name = names[key]
            db.session.add(ProfessionalCredential(user_id=user.id, kind="CPS", number=f"LIC-{key}", issuer="State Board"))
            db.session.flush()
            complete_course_for_demo(user, catalog.get("starting-out"))
        db.session.commit()
    return people


def logged_in(app, user):
    client = app.test_client()
    auth = Auth(client)
    auth.login(user)
    return client


def read_zip(response):
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.is_streamed
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    return archive, manifest


def test_admin_export_manifest_matches_the_files(app, make_user, certified):
    admin = logged_in(app, make_user("admin"))
    archive, manifest = read_zip(admin.get("/admin/certificates/export.zip"))
    pdfs = sorted(name for name in archive.namelist() if name.endswith(".pdf"))
    assert sorted(row["file"] for row in manifest) == pdfs and len(pdfs) == 3
    with app.app_context():
        codes = dict(db.session.execute(sa.select(Certificate.code, Certificate.completed_on)).all())
    for row in manifest:
        text = pdf_text(archive.read(row["file"]))
        assert row["code"] in text and row["course"] == "Starting out as a peer" and row["hours"] == "0.5"
        assert row["status"] == "valid" and row["completed_on"] == codes[row["code"]].isoformat()
        assert row["file"].endswith(f"_starting-out_{row['completed_on']}.pdf")
    assert "Rivera_Jordan_starting-out_" in " ".join(pdfs)
    assert any(name.startswith("Nunez_Ana-Maria_") for name in pdfs)  # safe in any file system
    assert {row["licence"] for row in manifest} == {
        "CPS LIC-north, State Board",
        "CPS LIC-north2, State Board",
        "CPS LIC-south, State Board",
    }
    formula = next(row for row in manifest if "HYPERLINK" in row["name"])
    assert formula["name"].startswith("'=")  # a spreadsheet shows it, never runs it


def test_filters_and_cached_pdfs(app, make_user, certified):
    admin = logged_in(app, make_user("admin"))
    with app.app_context():
        south = db.session.scalar(sa.select(Team.id).where(Team.name == "South"))
    _, manifest = read_zip(admin.get(f"/admin/certificates/export.zip?team={south}"))
    assert [row["licence"] for row in manifest] == ["CPS LIC-south, State Board"]
    _, manifest = read_zip(admin.get("/admin/certificates/export.zip?status=revoked"))
    assert manifest == []
    _, manifest = read_zip(admin.get("/admin/certificates/export.zip?course=starting-out&date_from=2000-01-01&date_to=2999-12-31"))
    assert len(manifest) == 3
    with app.app_context():  # the export cached every PDF it rendered
        cached = dict(db.session.execute(sa.select(Certificate.code, Certificate.pdf)).all())
    assert all(cached.values())
    archive, manifest = read_zip(admin.get("/admin/certificates/export.zip"))
    for row in manifest:
        assert archive.read(row["file"]) == cached[row["code"]]  # served from the cache, not rendered again
    refused = admin.get("/admin/certificates/export.zip?date_from=yesterday")
    assert refused.status_code == 400 and "Enter a date like" in refused.get_data(as_text=True)


def test_a_download_cut_off_half_way_keeps_the_pdfs_already_sent(app, make_user, certified):
    admin = logged_in(app, make_user("admin"))
    response = admin.get("/admin/certificates/export.zip")
    next(iter(response.response))  # the first certificate goes out...
    response.close()  # ...and the person goes away
    with app.app_context():
        cached = db.session.scalars(sa.select(Certificate.pdf)).all()
    assert sorted(pdf is not None for pdf in cached) == [False, False, True]


def test_supervisor_exports_only_their_teams(app, make_user, certified):
    supervisor = make_user("supervisor", team=None)
    with app.app_context():
        boss = db.session.get(User, supervisor.id)
        north = db.session.scalar(sa.select(Team).where(Team.name == "North"))
        south_id = db.session.scalar(sa.select(Team.id).where(Team.name == "South"))
        boss.supervised_teams.append(north)
        db.session.commit()
    client = logged_in(app, supervisor)
    archive, manifest = read_zip(client.get("/supervise/certificates.zip"))
    assert sorted(row["name"] for row in manifest) == ["Ana María Núñez", "Jordan Rivera"]
    assert {row["licence"] for row in manifest} == {"on file"}  # a supervisor knows only that one exists
    refused = client.get(f"/supervise/certificates.zip?team={south_id}")
    assert refused.status_code == 400 and b"HYPERLINK" not in refused.data


def test_cli_export_writes_the_same_zip(app, runner, agency, certified, tmp_path):
    target = tmp_path / "audit.zip"
    result = runner.invoke(args=["certificates", "export", "--agency", "test-agency", "--out", str(target)])
    assert result.exit_code == 0, result.output
    archive = zipfile.ZipFile(target)
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert sorted(row["file"] for row in manifest) == sorted(n for n in archive.namelist() if n.endswith(".pdf"))
    assert len(manifest) == 3
    result = runner.invoke(args=["certificates", "export", "--agency", "Nobody", "--out", str(target)])
    assert result.exit_code != 0 and "no agency with the slug" in result.output


def test_cli_rotates_keys(app, runner, agency):
    first = runner.invoke(args=["certificates", "keys", "rotate", "--agency", "test-agency"])
    second = runner.invoke(args=["certificates", "keys", "rotate", "--agency", "test-agency"])
    assert first.exit_code == 0 and "1 key(s) published" in first.output
    assert second.exit_code == 0 and "2 key(s) published" in second.output
    with app.app_context():
        keys = signing.agency_keys(agency.id)
        assert len(keys) == 2 and all(b"PRIVATE KEY" not in key.private_key_encrypted for key in keys)
    profile = app.test_client().get(f"/agencies/{agency.id}", headers={"Accept": "application/json"}).get_json()
    assert [m["publicKeyJwk"]["kid"] for m in profile["verificationMethod"]] == [k.kid for k in keys]
    assert all("d" not in m["publicKeyJwk"] for m in profile["verificationMethod"])  # public halves only


def test_signing_keys_survive_a_change_of_encryption_key(app, runner, agency, make_app):
    runner.invoke(args=["certificates", "keys", "rotate", "--agency", "test-agency"])
    fresh = new_key()
    rotated = make_app(ENCRYPTION_KEYS=f"{fresh},{app.config['ENCRYPTION_KEYS']}")
    assert rotated.test_cli_runner().invoke(args=["private-data", "rotate"]).exit_code == 0
    only_new = make_app(ENCRYPTION_KEYS=fresh)  # the old encryption key is gone
    response = only_new.test_client().get(f"/agencies/{agency.id}/status/0")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
