"""Prerequisites (`requires:`) and learning paths."""

import sqlalchemy as sa

from lms.domain.course_files import load_files
from lms.domain.course_loader import load_catalog, prerequisite_problems
from lms.extensions import db
from lms.models import Assignment
from tests.conftest import FIXTURE_COURSES
from tests.web.helpers import GOOD_EVALUATION, finish_lessons, pass_check
from tests.web.test_agency_courses import SLUG, TITLE, fixture_files, logged_in, publish, upload, zip_of

LESSON_URL = f"/learn/courses/{SLUG}/lessons/getting-ready"


def requiring(*slugs, files=None):
    files = dict(files or fixture_files())
    files["course.md"] = files["course.md"].replace("---\n", f"---\nrequires: [{', '.join(slugs)}]\n", 1)
    return files


def test_requires_must_name_known_courses_without_a_loop():
    first, _ = load_files("first", requiring("second"))
    second, _ = load_files("second", requiring("first"))
    alone, _ = load_files("alone", requiring("nowhere"))
    problems = prerequisite_problems([first, second, alone], {"first", "second", "alone"})
    messages = sorted((p.path, p.line, p.message) for p in problems)
    assert messages == [
        ("alone/course.md", 2, "requires unknown course 'nowhere'"),
        ("first/course.md", 2, "requires form a loop: first -> second -> first"),
        ("second/course.md", 2, "requires form a loop: second -> first -> second"),
    ]
    catalog = load_catalog(FIXTURE_COURSES)
    assert catalog.get("starting-out") and not [p for p in catalog.problems if "requires" in p.message]


def test_a_locked_course_says_what_to_finish_first(app, make_user):
    admin, token = logged_in(app, make_user("admin"))
    upload(admin, token, zip_of({f"{SLUG}/{n}": t for n, t in requiring("starting-out").items()}))
    assert publish(admin, token, app).status_code == 303
    peer_user = make_user("peer")
    peer, peer_token = logged_in(app, peer_user)
    page = peer.get(f"/learn/courses/{SLUG}/").get_data(as_text=True)
    assert "Finish this course first" in page and "Starting out as a peer" in page and "Start the course" not in page
    refused = peer.get(LESSON_URL)
    assert refused.status_code == 303 and refused.headers["Location"].endswith(f"/learn/courses/{SLUG}/")
    assert peer.get(f"/learn/courses/{SLUG}/check").status_code == 303

    finish_lessons(peer, peer_token)
    pass_check(peer, peer_token)
    peer.post("/learn/courses/starting-out/evaluation", data={**GOOD_EVALUATION, "csrf_token": peer_token})
    assert peer.get(LESSON_URL).status_code == 200
    assert "Finish this course first" not in peer.get(f"/learn/courses/{SLUG}/").get_data(as_text=True)


def test_publishing_refuses_an_unknown_prerequisite(app, make_user):
    admin, token = logged_in(app, make_user("admin"))
    upload(admin, token, zip_of({f"{SLUG}/{n}": t for n, t in requiring("no-such-course").items()}))
    refused = publish(admin, token, app)
    assert refused.status_code == 422 and "requires unknown course &#39;no-such-course&#39;" in refused.get_data(as_text=True)


def test_an_admin_assigns_a_path_and_the_learner_sees_the_next_step(app, make_user, teams):
    admin, token = logged_in(app, make_user("admin"))
    upload(admin, token, zip_of({f"{SLUG}/{n}": t for n, t in fixture_files().items()}))
    publish(admin, token, app)
    made = admin.post("/admin/paths", data={"csrf_token": token, "title": "Peer orientation", "step-1": "starting-out", "step-2": SLUG})
    assert made.status_code == 303
    page = admin.get("/admin/paths").get_data(as_text=True)
    path_id = page.split("/admin/paths/", 1)[1].split("/assign", 1)[0]
    assigned = admin.post(
        f"/admin/paths/{path_id}/assign",
        data={"csrf_token": token, "target": "team", "team_id": str(teams["North"].id), "due_rule": "none"},
    )
    assert assigned.status_code == 303
    with app.app_context():
        rows = db.session.scalars(sa.select(Assignment).where(Assignment.path_id == int(path_id))).all()
        assert sorted(row.course_slug for row in rows) == sorted(["starting-out", SLUG])

    peer, peer_token = logged_in(app, make_user("peer"))
    home = peer.get("/learn/").get_data(as_text=True)
    assert "Peer orientation" in home and 'Next step:</strong> <a href="/learn/courses/starting-out/">Starting out as a peer' in home
    finish_lessons(peer, peer_token)
    pass_check(peer, peer_token)
    peer.post("/learn/courses/starting-out/evaluation", data={**GOOD_EVALUATION, "csrf_token": peer_token})
    home = peer.get("/learn/").get_data(as_text=True)
    assert f'Next step:</strong> <a href="/learn/courses/{SLUG}/">{TITLE}' in home

    elsewhere, _ = logged_in(app, make_user("peer", team="South"))
    assert "Peer orientation" not in elsewhere.get("/learn/").get_data(as_text=True)


def test_a_path_needs_a_name_and_known_courses(app, make_user):
    admin, token = logged_in(app, make_user("admin"))
    refused = admin.post("/admin/paths", data={"csrf_token": token, "title": "", "step-1": "made-up"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Enter a name for the path" in body and "Choose up to" in body
