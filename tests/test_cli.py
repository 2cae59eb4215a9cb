"""`flask` commands."""

import shutil
from pathlib import Path

import sqlalchemy as sa

from lms.config import PROJECT_ROOT
from lms.extensions import db
from lms.models import Certificate, LessonProgress, RenewalTemplate, Team, User, team_supervisors
from lms.services.demo import DEMO_TEAM
from lms.services.seed import SEED_PASSWORD
from tests.conftest import FIXTURE_COURSES

COMPLETE_COURSES = PROJECT_ROOT / "tests" / "fixtures" / "complete-courses"


def test_courses_check_reports_path_line_message_and_fails(runner, tmp_path):
    courses = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, courses)
    lesson = courses / "starting-out" / "02-listening.md"
    lesson.write_text(lesson.read_text().replace("order: 2", "order: 1"))
    result = runner.invoke(args=["courses", "check", str(courses)])
    assert result.exit_code == 1
    assert "courses/starting-out/02-listening.md:2: duplicate lesson order 1" in result.output
    assert "1 course load, 1 cannot be served" in result.output


def test_courses_check_on_a_clean_copy_reports_only_quality(runner):
    result = runner.invoke(args=["courses", "check", FIXTURE_COURSES, "--verbose"])
    # The tiny fixture courses are structurally sound but far too short for the quality rules.
    assert "2 courses load, 0 cannot be served" in result.output
    assert "words of prose" in result.output
    assert "starting-out/01-welcome.md: reading grade" in result.output
    assert result.exit_code == 1


def test_courses_check_passes_a_course_that_keeps_every_rule(runner):
    result = runner.invoke(args=["courses", "check", str(COMPLETE_COURSES)])
    assert result.output == "1 course load, 0 cannot be served, 0 problems.\n"
    assert result.exit_code == 0


def test_courses_report_prints_a_markdown_table_row_per_course(runner):
    result = runner.invoke(args=["courses", "report", str(COMPLETE_COURSES)])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "| course | for | lessons | words | questions (applied / concept / recall) | estimated minutes | minutes"
        " | ce_hours | reading grade | longest choice is correct |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        "| `making-supervision-work` | peer, supervisor | 4 | 2119 | 15 (12 / 2 / 1) | 31.6 | 30 | 0.5 | 7.2–7.7 | 27% |",
    ]


def test_courses_report_names_the_courses_it_leaves_out(runner, tmp_path):
    courses = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, courses)
    (courses / "team-orientation" / "course.md").write_text("no front matter")
    result = runner.invoke(args=["courses", "report", str(courses)])
    assert "| `starting-out` | peer, supervisor | 3 |" in result.output
    assert "`team-orientation`" not in result.output
    assert "Not in the table (they cannot be served): team-orientation." in result.output


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
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 4 + len(DEMO_TEAM)  # the logins and a team
        peer = db.session.scalar(sa.select(User).where(User.email == "peer@example.org"))
        [certificate] = db.session.scalars(sa.select(Certificate).where(Certificate.user_id == peer.id)).all()
        assert certificate.course_slug == "starting-out"  # the fixture catalog has no self-care course
        assert certificate.signer_name == "Morgan Lee"
        [template] = db.session.scalars(sa.select(RenewalTemplate)).all()
        assert "Demo State Board" in template.name and "fictional" in template.name


def test_demo_logins_work_and_a_changed_password_is_no_longer_listed(app, runner):
    from tests.conftest import Auth

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    demo_admin = type("Login", (), {"email": "admin@example.org"})
    assert Auth(app.test_client()).login(demo_admin, "demo-password").status_code == 303
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.email == "admin@example.org")).set_password("a-private-passphrase")
        db.session.commit()
    listed = runner.invoke(args=["demo", "load", "--if-empty"]).output
    assert "peer@example.org" in listed and "admin@example.org" not in listed


def test_demo_team_shows_every_stage_to_its_supervisor(app, runner):
    from datetime import date

    from lms.services import team_matrix
    from lms.services.evaluations import summary_for

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        supervisor = db.session.scalar(sa.select(User).where(User.email == "supervisor@example.org"))
        teams = team_matrix.supervised_teams(supervisor)
        matrix = team_matrix.team_matrix(supervisor, teams, app.extensions["catalog"], team_matrix.Filters(), date.today())
        assert len(matrix.rows) >= 10
        summary = matrix.summary
        assert summary["overdue"] == 1 and summary["complete"] >= 5
        assert summary["in-progress"] >= 2 and summary["not-started"] >= 2
        responses, _ = summary_for(supervisor.agency_id, app.extensions["catalog"].get("starting-out"))
        assert responses >= 5  # enough answers for the evaluation summary to show
        revoked = db.session.scalars(sa.select(Certificate).where(Certificate.revoked_at.is_not(None))).all()
        assert len(revoked) == 1


def test_the_example_csv_adds_people_beside_the_demo_ones(app, runner):
    import csv

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        demo_emails = set(db.session.scalars(sa.select(User.email)))
    with open(PROJECT_ROOT / "docs" / "examples" / "users.csv", newline="") as example:
        example_emails = {row["email"].strip().lower() for row in csv.DictReader(example)}
    assert not demo_emails & example_emails  # importing the example never changes a demo person


def test_serve_is_refused_in_production(make_app):
    app = make_app(ENVIRONMENT="production", SINGLE_WORKER=True)
    result = app.test_cli_runner().invoke(args=["serve", "--port", "5999"])
    assert result.exit_code != 0 and "gunicorn" in result.output


def test_demo_load_is_refused_in_production(make_app):
    app = make_app(ENVIRONMENT="production", SINGLE_WORKER=True)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "never loaded in production" in result.output


def test_demo_seed_loads_learners_in_teams_with_roles_and_progress(app, runner):
    result = runner.invoke(args=["demo", "seed", "--learners", "12", "--teams", "3"])
    assert result.exit_code == 0, result.output
    # Ten peers and supervisors open the three lessons of starting-out, two clinicians the one of team-orientation.
    assert "Seeded 12 learners in 3 teams, 32 progress rows." in result.output
    with app.app_context():
        team_names = dict(db.session.execute(sa.select(Team.id, Team.name)).all())
        users = db.session.scalars(sa.select(User).order_by(User.id)).unique().all()
        assert [user.email for user in users] == [f"learner{n}@seed.example.org" for n in range(12)]
        assert [team_names[user.team_id] for user in users] == [f"Team {n % 3 + 1}" for n in range(12)]
        clinicians = {4, 9}  # every fifth learner; the first of each team supervises it
        expected_roles = [{"supervisor"} if n < 3 else {"clinician"} if n in clinicians else {"peer"} for n in range(12)]
        assert [user.roles for user in users] == expected_roles
        supervising = db.session.execute(sa.select(team_supervisors.c.team_id, team_supervisors.c.user_id)).all()
        assert sorted((team_names[team_id], user_id) for team_id, user_id in supervising) == [
            (f"Team {n + 1}", users[n].id) for n in range(3)
        ]
        for n, user in enumerate(users):
            rows = db.session.scalars(sa.select(LessonProgress).where(LessonProgress.user_id == user.id)).all()
            assert {row.course_slug for row in rows} == {"team-orientation" if n in clinicians else "starting-out"}
            assert [row.completed_at is None for row in rows].count(True) == 1  # all but the last lesson finished
        assert users[5].check_password(SEED_PASSWORD)
    again = runner.invoke(args=["demo", "seed", "--learners", "1"])
    assert again.exit_code != 0 and "already has users" in again.output


def test_demo_seed_is_refused_in_production(make_app):
    app = make_app(ENVIRONMENT="production", SINGLE_WORKER=True)
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--learners", "1"])
    assert result.exit_code != 0 and "never loaded in production" in result.output


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
    bad_email = runner.invoke(
        args=["users", "create", "--email", "nope", "--name", "A", "--agency", "x", "--password", "long-enough-password"]
    )
    assert bad_email.exit_code != 0 and "not an email address" in bad_email.output


def test_real_courses_folder_exists():
    assert (PROJECT_ROOT / "courses").is_dir()
    assert Path(FIXTURE_COURSES).is_dir()
