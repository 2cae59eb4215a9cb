"""`flask` commands."""

import shutil
from pathlib import Path

import sqlalchemy as sa

from lms.config import PROJECT_ROOT
from lms.extensions import db
from lms.models import Certificate, User
from tests.conftest import FIXTURE_COURSES


def test_courses_check_reports_path_line_message_and_fails(runner, tmp_path):
    courses = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, courses)
    lesson = courses / "starting-out" / "02-listening.md"
    lesson.write_text(lesson.read_text().replace("order: 2", "order: 1"))
    result = runner.invoke(args=["courses", "check", str(courses)])
    assert result.exit_code == 1
    assert "courses/starting-out/02-listening.md:2: duplicate lesson order 1" in result.output
    assert "1 course(s) load, 1 cannot be served" in result.output


def test_courses_check_on_a_clean_copy_reports_only_quality(runner):
    result = runner.invoke(args=["courses", "check", FIXTURE_COURSES, "--verbose"])
    # The tiny fixture courses are structurally sound but far too short for the quality rules.
    assert "2 course(s) load, 0 cannot be served" in result.output
    assert "words of prose" in result.output
    assert "starting-out/01-welcome.md: reading grade" in result.output
    assert result.exit_code == 1


def test_demo_load_prints_logins_and_refuses_a_second_time(app, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    for email in ("peer@example.org", "clinician@example.org", "supervisor@example.org", "admin@example.org"):
        assert email in result.output
    assert "demo-password" in result.output
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code != 0 and "already has users" in again.output
    if_empty = runner.invoke(args=["demo", "load", "--if-empty"])
    assert if_empty.exit_code == 0 and "not loaded" in if_empty.output
    assert "peer@example.org" in if_empty.output  # make run reminds people of the logins every time
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 4
        peer = db.session.scalar(sa.select(User).where(User.email == "peer@example.org"))
        [certificate] = db.session.scalars(sa.select(Certificate).where(Certificate.user_id == peer.id)).all()
        assert certificate.course_slug == "starting-out"  # the fixture catalog has no self-care course
        assert certificate.signer_name == "Morgan Lee"


def test_demo_load_is_refused_in_production(make_app):
    app = make_app(ENVIRONMENT="production", SINGLE_WORKER=True)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "never loaded in production" in result.output


def test_users_create_makes_a_first_admin(app, runner, client):
    result = runner.invoke(
        args=["users", "create", "--email", "Boss@Agency.org", "--name", "Pat Boss", "--create-agency", "New Agency"],
        input="a-long-password\na-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created boss@agency.org (admin) in New Agency (new agency, slug new-agency)." in result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "boss@agency.org"))
        assert user.roles == {"admin"} and user.check_password("a-long-password")
        assert user.password_hash != "a-long-password"


def test_users_create_refuses_bad_input_and_keeps_what_exists(app, runner):
    first = ["users", "create", "--email", "a@b.org", "--name", "A", "--create-agency", "X", "--password"]
    assert runner.invoke(args=first + ["short"]).exit_code != 0
    assert runner.invoke(args=first + ["long-enough-password"]).exit_code == 0
    args = ["users", "create", "--email", "a@b.org", "--name", "A", "--agency", "x", "--password"]
    duplicate = runner.invoke(args=args + ["another-long-password"])
    assert duplicate.exit_code != 0 and "already an account" in duplicate.output
    bad_email = runner.invoke(args=["users", "create", "--email", "nope", "--name", "A", "--agency", "x", "--password", "long-enough-password"])
    assert bad_email.exit_code != 0 and "not an email address" in bad_email.output


def test_real_courses_folder_exists():
    assert (PROJECT_ROOT / "courses").is_dir()
    assert Path(FIXTURE_COURSES).is_dir()
