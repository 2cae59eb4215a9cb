"""Admin pages are for admins only."""

import shutil

import pytest

from tests.conftest import FIXTURE_COURSES, Auth


@pytest.mark.parametrize("role, status", [("peer", 403), ("clinician", 403), ("supervisor", 403), ("admin", 200)])
def test_course_health_page_by_role(client, auth, make_user, role, status):
    auth.login(make_user(role))
    assert client.get("/admin/courses").status_code == status


def test_course_health_page_needs_login(client):
    response = client.get("/admin/courses")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_admin_sees_broken_courses_while_others_are_served(tmp_path, make_app, make_user):
    courses = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, courses)
    (courses / "team-orientation" / "course.md").write_text("---\ntitle: [unclosed\n---\n")
    app = make_app(COURSES_DIR=str(courses))
    admin, clinician = make_user("admin"), make_user("clinician")

    client = app.test_client()
    Auth(client).login(admin)
    page = client.get("/admin/courses").get_data(as_text=True)
    assert "Courses that cannot be shown" in page
    assert "courses/team-orientation/course.md:3: bad YAML" in page
    assert client.get("/learn/courses/starting-out/lessons/welcome").status_code == 200

    client = app.test_client()
    Auth(client).login(clinician)
    assert client.get("/learn/courses/team-orientation/").status_code == 404
