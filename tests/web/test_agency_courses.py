"""Agency courses: written or uploaded by an agency's admins, checked, published, served to that agency only."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.domain.course_files import load_files
from lms.extensions import db
from lms.models import Agency, AgencyCourse, AuditEvent, Certificate
from lms.services.accounts import create_user
from lms.services.agency_catalog import with_agency_courses
from lms.services.agency_courses import MAX_FILE_CHARS, MAX_ZIP_BYTES, MAX_ZIP_TOTAL, AgencyCourseError, read_zip
from tests.conftest import PASSWORD
from tests.web.helpers import logged_in

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "agency-courses" / "our-supervision-routine"
SLUG = FIXTURE.name
TITLE = "Our supervision routine"


def fixture_files() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in FIXTURE.iterdir()}


def zip_of(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def course_zip(folder=SLUG) -> bytes:
    return zip_of({f"{folder}/{name}": text for name, text in fixture_files().items()})


@pytest.fixture
def admin(app, make_user):
    return logged_in(app, make_user("admin"))


@pytest.fixture
def stranger(app, agency):
    """An admin and a peer of another agency."""
    with app.app_context():
        other = Agency(name="Other Agency")
        db.session.add(other)
        db.session.flush()
        people = [create_user(other, f"{role}@other.example.org", f"Other {role}", [role], PASSWORD, None) for role in ("admin", "peer")]
        db.session.commit()
    return [logged_in(app, person) for person in people]


def upload(client, token, data, slug=""):
    return client.post(
        "/admin/agency-courses/upload",
        data={"csrf_token": token, "slug": slug, "zip": (io.BytesIO(data), "course.zip")},
        content_type="multipart/form-data",
    )


def course_id(app, slug=SLUG):
    with app.app_context():
        return db.session.scalar(sa.select(AgencyCourse.id).where(AgencyCourse.slug == slug))


def publish(client, token, app):
    return client.post(f"/admin/agency-courses/{course_id(app)}/publish", data={"csrf_token": token})


def right_answers(files) -> dict[str, str]:
    course, _ = load_files(SLUG, files)
    return {f"q-{q.id}": next(c.id for c in q.choices if c.correct) for q in course.questions}


def test_an_uploaded_course_is_a_private_draft_until_published(app, admin, make_user, stranger):
    client, token = admin
    assert upload(client, token, course_zip()).status_code == 303
    peer_client, _ = logged_in(app, make_user("peer"))
    assert TITLE not in peer_client.get("/learn/").get_data(as_text=True)
    assert peer_client.get(f"/learn/courses/{SLUG}/").status_code == 404

    assert publish(client, token, app).status_code == 303
    assert TITLE in peer_client.get("/learn/").get_data(as_text=True)
    assert TITLE in peer_client.get(f"/learn/courses/{SLUG}/").get_data(as_text=True)
    assert peer_client.get(f"/learn/courses/{SLUG}/lessons/getting-ready").status_code == 200

    (other_admin, _), (other_peer, _) = stranger
    assert TITLE not in other_peer.get("/learn/").get_data(as_text=True)
    assert other_peer.get(f"/learn/courses/{SLUG}/").status_code == 404
    assert other_peer.get(f"/learn/courses/{SLUG}/lessons/getting-ready").status_code == 404
    assert other_admin.get(f"/admin/agency-courses/{course_id(app)}").status_code == 404
    assert SLUG not in other_admin.get("/admin/agency-courses").get_data(as_text=True)
    assert TITLE not in other_admin.get("/admin/assignments").get_data(as_text=True)
    with app.app_context():
        assert [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))] == [
            "agency_course.create",
            "agency_course.publish",
        ]


def test_a_peer_assigned_the_course_completes_it_and_gets_a_certificate(app, admin, make_user, teams):
    client, token = admin
    upload(client, token, course_zip())
    publish(client, token, app)
    response = client.post(
        "/admin/assignments",
        data={
            "csrf_token": token,
            "course": SLUG,
            "target": "team",
            "team_id": str(teams["North"].id),
            "due_rule": "none",
            "due_days": "",
            "renew_days_before": "30",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    peer = make_user("clinician")  # outside the course's audiences: the assignment alone lets them in
    peer_client, peer_token = logged_in(app, peer)
    assert TITLE in peer_client.get("/learn/").get_data(as_text=True)
    course, _ = load_files(SLUG, fixture_files())
    for lesson in course.lessons:
        assert peer_client.post(f"/learn/courses/{SLUG}/lessons/{lesson.id}/complete", data={"csrf_token": peer_token}).status_code == 303
    page = peer_client.get(f"/learn/courses/{SLUG}/check").get_data(as_text=True)
    attempt = re.search(r"/check/attempts/(\d+)", page).group(1)
    answered = peer_client.post(
        f"/learn/courses/{SLUG}/check/attempts/{attempt}", data={**right_answers(fixture_files()), "csrf_token": peer_token}
    )
    assert answered.status_code == 303
    evaluation = {f"objective-{o.id}": "5" for o in course.objectives} | {"relevance": "5", "would_recommend": "yes"}
    assert peer_client.post(f"/learn/courses/{SLUG}/evaluation", data={**evaluation, "csrf_token": peer_token}).status_code == 303
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.course_slug == SLUG))
        assert certificate.course_title == TITLE and certificate.learner_name == peer.name
    assert TITLE in peer_client.get("/certificates/").get_data(as_text=True)
    # Anyone checking the credential can open what it was earned for, logged out too.
    badge = json.loads(peer_client.get(f"/certificates/{certificate.code}.json").data)
    about = app.test_client().get(badge["credentialSubject"]["achievement"]["id"].removeprefix("http://localhost"))
    assert about.status_code == 200 and TITLE in about.get_data(as_text=True)


def test_publishing_refuses_with_the_checker_messages_at_their_lines(app, admin):
    client, token = admin
    files = fixture_files()
    lines = files["check.yaml"].split("\n")
    wrong_line = next(i for i, line in enumerate(lines, 1) if "objective: O2" in line)
    files["check.yaml"] = "\n".join(
        line.replace("objective: O2", "objective: O9") if i == wrong_line else line for i, line in enumerate(lines, 1)
    )
    upload(client, token, zip_of({f"{SLUG}/{n}": t for n, t in files.items()}))
    editor = client.get(f"/admin/agency-courses/{course_id(app)}").get_data(as_text=True)
    assert f"Line {wrong_line}</strong>: question" in editor and "unknown objective &#39;O9&#39;" in editor

    refused = publish(client, token, app)
    assert refused.status_code == 422 and "Not published" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(AgencyCourse, course_id(app)).published_version is None

    files["check.yaml"] = fixture_files()["check.yaml"]
    saved = client.post(
        f"/admin/agency-courses/{course_id(app)}",
        data={"csrf_token": token, "action": "save", **{f"file:{n}": t for n, t in files.items()}},
    )
    assert saved.status_code == 303
    assert publish(client, token, app).status_code == 303


def test_quality_rules_are_publishing_gates_too(app, admin):
    client, token = admin
    files = fixture_files()
    files["course.md"] = files["course.md"].replace("Veterans", "Former soldiers")
    upload(client, token, zip_of({f"{SLUG}/{n}": t for n, t in files.items()}))
    refused = publish(client, token, app)
    assert refused.status_code == 422 and "Veterans press 1" in refused.get_data(as_text=True)


def test_a_course_written_in_the_browser_starts_as_a_draft_the_checker_explains(app, admin):
    client, token = admin
    created = client.post("/admin/agency-courses", data={"csrf_token": token, "slug": "our-crisis-steps", "title": "Our crisis steps"})
    assert created.status_code == 303
    editor = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "Our crisis steps" in editor and "the course lists no references" in editor
    refused = client.post(f"/admin/agency-courses/{course_id(app, 'our-crisis-steps')}/publish", data={"csrf_token": token})
    assert refused.status_code == 422


@pytest.mark.parametrize(
    "slug, message",
    [
        ("starting-out", "A shared course already uses"),
        ("Not A Slug", "Use lower-case letters"),
    ],
)
def test_a_slug_must_be_new_and_plain(app, admin, slug, message):
    client, token = admin
    refused = client.post("/admin/agency-courses", data={"csrf_token": token, "slug": slug, "title": "A title"})
    assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert message in refused_upload_message(client, token, course_zip(), slug)


def refused_upload_message(client, token, data, slug):
    response = upload(client, token, data, slug)
    assert response.status_code == 422
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "members, message",
    [
        ({"../escape/course.md": "---\n"}, "is not allowed"),
        ({"/etc/course.md": "---\n"}, "is not allowed"),
        ({"a/b/course.md": "---\n"}, "is not allowed"),
        ({f"{SLUG}/course.md": "---\n", f"{SLUG}/run.sh": "echo"}, "is not a course file"),
        ({f"{SLUG}/course.md": "---\n", f"{SLUG}/plan.yaml": "x"}, "is not a course file"),
        ({f"{SLUG}/course.md": b"\xff\xfe"}, "is not UTF-8"),
        ({f"{SLUG}/{i:02d}-lesson.md": "x" for i in range(50)}, "more than 40 files"),
        ({"one/course.md": "---\n", "two/check.yaml": "x"}, "more than one folder"),
    ],
)
def test_zip_uploads_are_limited_to_one_course_folder(app, admin, members, message):
    client, token = admin
    assert message in refused_upload_message(client, token, zip_of(members), "")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AgencyCourse)) == 0


def test_a_zip_with_a_link_or_too_large_or_not_a_zip_is_refused(app, admin):
    client, token = admin
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo(f"{SLUG}/course.md")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    assert "is not allowed" in refused_upload_message(client, token, buffer.getvalue(), "")
    assert "not a ZIP" in refused_upload_message(client, token, b"plain text", SLUG)
    with pytest.raises(AgencyCourseError, match="larger than"):
        read_zip(b"PK" + b"\0" * MAX_ZIP_BYTES)
    bomb = zip_of({f"{SLUG}/course.md": "-" * (MAX_ZIP_TOTAL + 1)})  # compresses to a few kilobytes
    assert "add up to more than" in refused_upload_message(client, token, bomb, "")


def test_read_zip_skips_hidden_files_and_refuses_backslashes_and_large_files():
    assert read_zip(zip_of({f"{SLUG}/course.md": "---\n", f"{SLUG}/.DS_Store": "x"})) == (SLUG, {"course.md": "---\n"})
    assert read_zip(zip_of({"course.md": "---\n", "._course.md": "x"})) == (None, {"course.md": "---\n"})
    with pytest.raises(AgencyCourseError, match="is not allowed") as refused:
        read_zip(zip_of({f"{SLUG}\\course.md": "---\n"}))
    assert len(refused.value.errors) == 1
    with pytest.raises(AgencyCourseError, match="is too large"):
        read_zip(zip_of({f"{SLUG}/course.md": "-" * (MAX_FILE_CHARS * 4 + 1)}))


def test_the_zip_export_passes_flask_courses_check_as_a_folder(app, admin, tmp_path):
    client, token = admin
    upload(client, token, course_zip())
    publish(client, token, app)
    export = client.get(f"/admin/agency-courses/{course_id(app)}/export.zip")
    assert export.status_code == 200 and export.headers["Content-Type"] == "application/zip"
    courses = tmp_path / "courses"
    with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
        assert sorted(archive.namelist()) == sorted(f"{SLUG}/{name}" for name in fixture_files())
        archive.extractall(courses)
    result = app.test_cli_runner().invoke(args=["courses", "check", str(courses)])
    assert result.exit_code == 0, result.output
    assert "1 course load, 0 cannot be served, 0 problems." in result.output


def test_versions_are_kept_and_compared(app, admin):
    client, token = admin
    upload(client, token, course_zip())
    publish(client, token, app)
    files = fixture_files()
    files["02-getting-ready.md"] = files["02-getting-ready.md"].replace("## Scenario", "## Scenario: a new example", 1)
    client.post(f"/admin/agency-courses/{course_id(app)}", data={"csrf_token": token, **{f"file:{n}": t for n, t in files.items()}})
    with app.app_context():
        course = db.session.get(AgencyCourse, course_id(app))
        published, draft = course.published_version, course.draft_version
    assert published != draft
    page = client.get(f"/admin/agency-courses/{course_id(app)}/versions?from={published}&to={draft}").get_data(as_text=True)
    assert "02-getting-ready.md" in page and "## Scenario: a new example" in page and "course.md</h3>" not in page
    # Learners still see the published version until the draft is published.
    peer_page = client.get(f"/learn/courses/{SLUG}/lessons/getting-ready").get_data(as_text=True)
    assert "Scenario: a new example" not in peer_page


def test_the_catalog_is_cached_per_agency_and_published_version(app, admin, agency):
    client, token = admin
    upload(client, token, course_zip())
    publish(client, token, app)
    with app.app_context():
        shared = app.extensions["catalog"]
        first, again = with_agency_courses(shared, agency.id), with_agency_courses(shared, agency.id)
        assert first is again and first.get(SLUG).title == TITLE
        assert first.get("starting-out") is shared.get("starting-out")
    files = fixture_files()
    files["02-getting-ready.md"] = files["02-getting-ready.md"].replace("title: Getting ready", "title: Getting ready, step by step,", 1)
    client.post(f"/admin/agency-courses/{course_id(app)}", data={"csrf_token": token, **{f"file:{n}": t for n, t in files.items()}})
    assert publish(client, token, app).status_code == 303
    with app.app_context():
        newer = with_agency_courses(shared, agency.id)
        assert newer is not first and newer.get(SLUG).version != first.get(SLUG).version
        assert [key for key in app.extensions["agency_course_cache"] if key[0] == course_id(app)] == [
            (course_id(app), newer.get(SLUG).version)
        ]  # the older version is let go
        course = db.session.get(AgencyCourse, course_id(app))
        course.published_version = None
        db.session.commit()
        assert with_agency_courses(shared, agency.id).get(SLUG) is None


EVIL = (
    "## Try this\n\n"
    "Some **bold** words.\n\n"
    "<script>alert('boom')</script>\n\n"
    '<p onclick="steal()" onmouseover="steal()">Hover me</p>\n\n'
    "[Click me](javascript:alert(1))\n\n"
    '<div hx-get="/admin/people" hx-trigger="load" hx-swap="outerHTML">Loaded</div>\n\n'
    '<a href="/x" hx-post="/admin/settings">htmx link</a>\n\n'
    '<a href="javascript:alert(2)">raw link</a>\n'
)
# Markdown leaves [text](javascript:...) as plain text, which is harmless; no attribute may survive.
DANGEROUS = (
    "<script",
    "alert('boom')",
    "alert(2)",
    "onclick",
    "onmouseover",
    'href="javascript:',
    "hx-get",
    "hx-post",
    "hx-trigger",
    "steal()",
)


def _with_evil_lesson():
    files = fixture_files()
    head, _, _ = files["01-what-supervision-is-for.md"].partition("---\n## ")
    files["01-what-supervision-is-for.md"] = head + "---\n" + EVIL
    return files


def test_the_live_preview_is_sanitized_like_course_files(app, admin):
    client, token = admin
    upload(client, token, course_zip())
    files = _with_evil_lesson()
    form = {"csrf_token": token, "preview_file": "01-what-supervision-is-for.md", **{f"file:{n}": t for n, t in files.items()}}
    fragment = client.post(f"/admin/agency-courses/{course_id(app)}/preview", data=form, headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<strong>bold</strong>" in body and "<html" not in body
    assert "raw HTML is not allowed" in body  # the checker names the lines, too
    preview = body.split("Preview of", 1)[1]
    for text in DANGEROUS:
        assert text not in preview, text


def test_the_preview_button_works_without_javascript_and_saves_nothing(app, admin):
    client, token = admin
    upload(client, token, course_zip())
    with app.app_context():
        before = db.session.get(AgencyCourse, course_id(app)).draft_version
    files = _with_evil_lesson()
    page = client.post(
        f"/admin/agency-courses/{course_id(app)}",
        data={"csrf_token": token, "action": "preview", **{f"file:{n}": t for n, t in files.items()}},
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "<strong>bold</strong>" in body and "changes not saved yet" in body
    for preview in body.split("Preview of")[1:]:
        for text in DANGEROUS:
            assert text not in preview.split("</details>")[0], text
    with app.app_context():
        assert db.session.get(AgencyCourse, course_id(app)).draft_version == before


def test_a_published_lesson_never_carries_admin_html(app, admin, make_user):
    client, token = admin
    upload(client, token, course_zip())
    files = _with_evil_lesson()
    client.post(f"/admin/agency-courses/{course_id(app)}", data={"csrf_token": token, **{f"file:{n}": t for n, t in files.items()}})
    assert publish(client, token, app).status_code == 422  # raw HTML is an error: it cannot be published
    course, _ = load_files(SLUG, files)
    html = course.lesson("what-supervision-is-for").html if course else ""
    for text in DANGEROUS:
        assert text not in html, text


def test_the_cli_audit_export_takes_the_agencys_own_course(app, runner, admin, stranger, tmp_path):
    client, token = admin
    upload(client, token, course_zip())
    assert publish(client, token, app).status_code == 303
    target = tmp_path / "audit.zip"
    own = runner.invoke(args=["certificates", "export", "--agency", "test-agency", "--course", SLUG, "--out", str(target)])
    assert own.exit_code == 0, own.output
    assert "manifest.csv" in zipfile.ZipFile(target).namelist()
    other = runner.invoke(args=["certificates", "export", "--agency", "other-agency", "--course", SLUG, "--out", str(target)])
    assert other.exit_code != 0 and f"There is no course {SLUG!r}." in other.output
