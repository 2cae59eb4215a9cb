"""The security review's smaller findings, each shown fixed by what a user would notice."""

import csv
import io
import struct
import zlib

import pytest
import sqlalchemy as sa
from PIL import Image

from lms.extensions import db
from lms.models import Agency, Team, User
from tests.conftest import PASSWORD, Auth, csrf_token_from
from tests.web.helpers import post_login
from tests.web.test_supervise import supervise

FORMULAS = ['=HYPERLINK("https://evil.example","click")', "+1+2", "-2+3", "@SUM(A1)", "\tHidden", "\rCarriage"]


def test_csv_cells_that_start_a_formula_are_neutralised_in_the_matrix_export(app, make_user):
    people = [make_user("peer", team="North") for _ in FORMULAS]
    with app.app_context():
        for person, name in zip(people, FORMULAS):
            db.session.get(User, person.id).name = name
        db.session.commit()
    client, _ = supervise(app, make_user)
    response = client.get("/supervise/matrix.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    response.close()
    names = sorted(row[0] for row in rows[1:])
    assert names == sorted("'" + name for name in FORMULAS)


def test_csv_cells_are_neutralised_in_the_transcript_too(app, client, auth, make_user, monkeypatch):
    from datetime import date

    import lms.web.certificates as views
    from lms.domain.certificates import TranscriptRow, transcript

    auth.login(make_user("peer"))
    monkeypatch.setattr(views, "_transcript", lambda: transcript([TranscriptRow(date(2026, 1, 2), "=cmd|' /C calc'!A0", 1.5, "ABC")]))
    rows = list(csv.reader(io.StringIO(client.get("/certificates/transcript.csv").get_data(as_text=True))))
    assert rows[1][1] == "'=cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    "path",
    [
        "/learn/",
        "/supervise/",
        "/supervise/matrix.csv",
        "/certificates/",
        "/certificates/transcript.csv",
        "/certificates/transcript.pdf",
        "/admin/",
        "/admin/people",
        "/admin/audit",
        "/learn/courses/starting-out/check",
    ],
)
def test_every_authenticated_response_is_no_store(app, make_user, path):
    user = make_user("peer", "supervisor", "admin")
    client = app.test_client()
    Auth(client).login(user)
    response = client.get(path)
    response.close()
    assert response.status_code == 200, path
    assert "no-store" in response.headers.get("Cache-Control", ""), path


def test_static_files_stay_cacheable_for_people_logged_in(app, make_user):
    client = app.test_client()
    Auth(client).login(make_user("peer"))
    response = client.get("/static/css/site.css")
    assert "max-age=31536000" in response.headers["Cache-Control"] and "no-store" not in response.headers["Cache-Control"]
    response.close()


def test_the_public_status_list_stays_cacheable_for_people_logged_in(app, make_user):
    """A badge verifier and the learner get the same signed list: it keeps its own short lifetime."""
    user = make_user("peer")
    client = app.test_client()
    Auth(client).login(user)
    response = client.get(f"/agencies/{user.agency_id}/status/0")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    profile = client.get(f"/agencies/{user.agency_id}", headers={"Accept": "text/html"})
    assert "no-store" in profile.headers["Cache-Control"]  # the page's header names who is logged in


def test_the_public_issuer_page_names_the_agency_to_anyone(app, make_user):
    user = make_user("peer")
    with app.app_context():
        name = db.session.get(Agency, user.agency_id).name
    page = app.test_client().get(f"/agencies/{user.agency_id}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f"<h1>{name}</h1>" in page and f"{name} issues certificates" in page


def test_the_422_page_that_echoes_a_private_draft_is_no_store(client, token):
    response = client.post("/learn/courses/starting-out/lessons/welcome/reflection", data={"reflection": "x" * 10_001, "csrf_token": token})
    assert response.status_code == 422 and "no-store" in response.headers["Cache-Control"]


def png_bomb(width=15_000, height=15_000) -> bytes:
    """A real PNG of width × height one-bit pixels: tiny on disk, 225 megapixels decoded."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes((width + 7) // 8)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height, 9)) + chunk(b"IEND", b"")


def settings_form(token, agency_name="Test Agency"):
    return {"csrf_token": token, "name": agency_name, "default_pass_mark": "80", "reminder_days_before": "7"}


@pytest.fixture
def admin_client(app, make_user):
    client = app.test_client()
    auth = Auth(client)
    auth.login(make_user("admin"))
    return client, auth.token("/admin/settings")


def test_a_decompression_bomb_logo_is_refused(app, admin_client, agency):
    client, token = admin_client
    bomb = png_bomb()
    assert len(bomb) < 300_000
    response = client.post(
        "/admin/settings", data={**settings_form(token), "logo": (io.BytesIO(bomb), "logo.png")}, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "too large" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Agency, agency.id).logo is None


def test_a_logo_is_re_encoded_without_its_metadata(app, admin_client, agency):
    client, token = admin_client
    picture = io.BytesIO()
    Image.new("RGB", (120, 60), "teal").save(picture, "PNG", pnginfo=_text_chunk("Comment", "secret GPS trail"))
    response = client.post(
        "/admin/settings",
        data={**settings_form(token), "logo": (io.BytesIO(picture.getvalue()), "l.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.get(Agency, agency.id).logo
    assert b"secret GPS trail" not in stored
    assert Image.open(io.BytesIO(stored)).size == (120, 60)


def _text_chunk(key, value):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(key, value)
    return info


def test_a_broken_image_is_refused_with_a_clear_message(admin_client):
    client, token = admin_client
    response = client.post(
        "/admin/settings",
        data={**settings_form(token), "logo": (io.BytesIO(b"\x89PNG\r\n\x1a\nnot really"), "l.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "could not be read" in response.get_data(as_text=True)


def test_the_drill_down_hides_deactivated_people_and_teams(app, make_user):
    gone = make_user("peer", team="North")
    stays = make_user("peer", team="North")
    client, _ = supervise(app, make_user)
    assert client.get(f"/supervise/people/{gone.id}").status_code == 200
    with app.app_context():
        db.session.get(User, gone.id).active = False
        db.session.commit()
    assert client.get(f"/supervise/people/{gone.id}").status_code == 404
    assert client.get(f"/supervise/people/{stays.id}").status_code == 200
    with app.app_context():
        db.session.scalar(sa.select(Team).where(Team.name == "North")).active = False
        db.session.commit()
    assert client.get(f"/supervise/people/{stays.id}").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "page=99999999999999999999999",
        "page=0",
        "page=-3",
        "page=abc",
        "to=9999-12-31",
        "from=0001-01-01",
        "from=2026-02-30",
        "to=not-a-date",
        "from=2026-05-01&to=2026-04-01",
    ],
)
def test_bad_audit_filters_are_explained_not_a_server_error(app, make_user, query):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    Auth(client).login(make_user("admin"))
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 422, query
    assert "Audit log" in response.get_data(as_text=True)


def test_good_audit_filters_still_work(app, make_user):
    client = app.test_client()
    Auth(client).login(make_user("admin"))
    assert client.get("/admin/audit?page=2&from=2026-01-01&to=2026-12-31").status_code == 200
    assert client.get("/admin/audit?actor=99999999999999999999999").status_code == 200


def test_every_account_state_costs_exactly_one_password_hash(app, make_user, monkeypatch):
    """Timing must not tell an unknown, invited, deactivated or real account apart: each
    failed login runs the same single password-hash check."""
    import werkzeug.security

    real = werkzeug.security.check_password_hash
    calls = []

    def counted(pwhash, password):
        calls.append(pwhash.split("$")[0])
        return real(pwhash, password)

    monkeypatch.setattr(werkzeug.security, "check_password_hash", counted)
    real_user = make_user("peer")
    invited = make_user("peer")
    deactivated = make_user("peer")
    with app.app_context():
        db.session.get(User, invited.id).password_hash = None
        db.session.get(User, deactivated.id).active = False
        db.session.commit()
    for email in (real_user.email, invited.email, deactivated.email, "nobody@example.org"):
        calls.clear()
        assert post_login(app.test_client(), email, "wrong password").status_code == 401
        assert calls == [app.config["PASSWORD_HASH_METHOD"]], email  # the same method as real accounts
    calls.clear()
    assert post_login(app.test_client(), deactivated.email, PASSWORD).status_code == 401
    assert len(calls) == 1


def test_a_json_login_counts_against_the_account_too(make_app, make_user):
    app = make_app(LOGIN_FAILURE_LIMIT="3 per 15 minutes")
    peer = make_user("peer")
    client = app.test_client()
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    statuses = [
        client.post("/auth/login", json={"email": peer.email, "password": "wrong"}, headers={"X-CSRFToken": token}).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    # the same account and client, now as a form: still throttled, the JSON tries counted
    assert post_login(client, peer.email, PASSWORD).status_code == 429
