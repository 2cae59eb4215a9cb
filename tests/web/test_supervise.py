"""The supervisor's matrix: only their teams, real states, filters, export, few queries."""

import csv
import io
import re
from datetime import date, timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Assignment, Team, User
from lms.services import progress
from tests.conftest import Auth
from tests.sql_statements import statements_of
from tests.web.helpers import GOOD_EVALUATION, finish_lessons, pass_check

COURSE = "/learn/courses/starting-out/"


def supervise(app, make_user, team_names=("North",)):
    supervisor = make_user("supervisor", team=None)
    with app.app_context():
        user = db.session.get(User, supervisor.id)
        for name in team_names:
            user.supervised_teams.append(db.session.scalar(sa.select(Team).where(Team.name == name)))
        db.session.commit()
    client = app.test_client()
    Auth(client).login(supervisor)
    return client, supervisor


def assign(app, agency_id, **target):
    with app.app_context():
        db.session.add(Assignment(agency_id=agency_id, course_slug="starting-out", **target))
        db.session.commit()


def test_matrix_shows_real_states_for_my_team_only(app, make_user, agency):
    north_done = make_user("peer", team="North")
    north_late = make_user("peer", team="North")
    south = make_user("peer", team="South")
    assign(app, agency.id, role="peer", due_on=date.today() - timedelta(days=1))
    learner = app.test_client()
    auth = Auth(learner)
    auth.login(north_done)
    token = auth.token()
    finish_lessons(learner, token)
    pass_check(learner, token)
    learner.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "csrf_token": token})

    client, _ = supervise(app, make_user)
    page = client.get("/supervise/").get_data(as_text=True)
    assert north_done.name in page and f"/supervise/people/{north_done.id}" in page
    assert f"/supervise/people/{north_late.id}" in page and f"/supervise/people/{south.id}" not in page
    assert "Complete</span>" in page and "Overdue</span>" in page
    assert "1 of 2" in page  # column count: one of two people complete


def test_filters_work_with_and_without_htmx(app, make_user, agency):
    make_user("peer", team="North")
    late = make_user("peer", team="North")
    assign(app, agency.id, user_id=late.id, due_on=date.today() - timedelta(days=3))
    client, _ = supervise(app, make_user)
    full = client.get("/supervise/?overdue=1").get_data(as_text=True)
    assert full.startswith("<!doctype html>") and "1 person shown" in full
    fragment = client.get("/supervise/?overdue=1", headers={"HX-Request": "true"})
    assert "HX-Request" in fragment.headers["Vary"]
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="matrix"') and "1 person shown" in body and "<html" not in body
    assert "2 people shown" in client.get("/supervise/?overdue=0").get_data(as_text=True)
    assert "No one matches these filters." in client.get("/supervise/?status=complete").get_data(as_text=True)


def test_csv_export_is_exactly_what_the_filters_show(app, make_user, agency):
    make_user("peer", team="North")
    late = make_user("peer", team="North")
    assign(app, agency.id, user_id=late.id, due_on=date.today() - timedelta(days=3))
    client, _ = supervise(app, make_user)
    response = client.get("/supervise/matrix.csv?overdue=1")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert response.mimetype == "text/csv"
    assert rows[0][:3] == ["name", "email", "team"] and len(rows) == 2
    assert rows[1][1] == late.email and rows[1][3].startswith("Overdue (due ")


def test_supervisor_of_another_team_cannot_see_a_learner(app, make_user):
    south = make_user("peer", team="South")
    client, _ = supervise(app, make_user, team_names=("North",))
    assert client.get(f"/supervise/people/{south.id}").status_code == 404
    assert south.email not in client.get("/supervise/matrix.csv").get_data(as_text=True)


def test_drill_down_shows_progress_and_attempts_but_no_private_writing(app, make_user):
    peer = make_user("peer", team="North")
    learner = app.test_client()
    auth = Auth(learner)
    auth.login(peer)
    token = auth.token()
    learner.post(COURSE + "lessons/welcome/reflection", data={"reflection": "My private thought", "csrf_token": token})
    finish_lessons(learner, token)
    pass_check(learner, token)
    client, _ = supervise(app, make_user)
    page = client.get(f"/supervise/people/{peer.id}").get_data(as_text=True)
    assert "Starting out as a peer" in page and "100%" in page and "Passed" in page
    assert "My private thought" not in page


def test_admin_of_another_agency_and_other_roles_are_refused(app, make_user, client, auth):
    peer = make_user("peer", team="North")
    auth.login(make_user("peer"))
    assert client.get("/supervise/").status_code == 403
    assert client.get(f"/supervise/people/{peer.id}").status_code == 403


def test_role_rule_assigns_orientation_to_a_clinician_created_later(app, make_user, agency):
    assign(app, agency.id, role="clinician", due_days_after_joining=30)
    clinician = make_user("clinician", team="South")
    client = app.test_client()
    Auth(client).login(clinician)
    page = client.get("/learn/").get_data(as_text=True)
    assert "Required for you" in page and "Starting out as a peer" in page
    due = date.today() + timedelta(days=30)
    assert f"Due {due:%B} {due.day}, {due.year}." in page
    assert client.get(COURSE).status_code == 200  # assigned, so open to a clinician too


def add_learners(app, agency_id, team_name, count, start=0):
    with app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.name == team_name))
        course = app.extensions["catalog"].get("starting-out")
        for i in range(start, start + count):
            user = User(agency_id=agency_id, team_id=team.id, email=f"bulk{team_name}{i}@example.org", name=f"Bulk {i}")
            user.set_roles({"peer"})
            db.session.add(user)
            db.session.flush()
            progress.complete_lesson(user.id, course, "welcome")
        db.session.commit()


def test_matrix_query_count_does_not_grow_with_team_size(app, make_user, agency):
    assign(app, agency.id, role="peer", due_days_after_joining=30)
    client, _ = supervise(app, make_user)
    client.get("/supervise/")  # warm up: session and user loading
    add_learners(app, agency.id, "North", 10)
    small = len(statements_of(app, client, "/supervise/"))
    add_learners(app, agency.id, "North", 590, start=10)  # past the 500-row batches of selectin loading
    large = len(statements_of(app, client, "/supervise/"))
    assert small == large
    # 1 to load the logged-in user with roles and agency, 1 for the agency's own published courses,
    # 5 for the matrix: teams, members with their roles, assignment rules, lesson progress,
    # completions; 1 for the certifications tracked for renewal (2 more, certificates and outside
    # training, only when someone has one).
    assert large <= 8, large


def test_not_started_and_counts_use_only_required_courses_by_default(app, make_user, agency):
    done = make_user("peer", team="North")
    idle = make_user("peer", team="North")
    assign(app, agency.id, role="peer")  # starting-out is required; team-orientation is not
    learner = app.test_client()
    auth = Auth(learner)
    auth.login(done)
    token = auth.token()
    finish_lessons(learner, token)
    pass_check(learner, token)
    learner.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "csrf_token": token})

    client, _ = supervise(app, make_user)
    not_started = client.get("/supervise/?status=not-started").get_data(as_text=True)
    assert f"/supervise/people/{idle.id}" in not_started
    assert f"/supervise/people/{done.id}" not in not_started  # a course nobody asked them to take
    page = client.get("/supervise/").get_data(as_text=True)
    row = page.split(f'href="/supervise/people/{done.id}"')[1].split("</tr>")[0]
    assert "1 of 1" in row and "1 of 2" not in row
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "1 complete" in text and "1 not started" in text  # the summary counts required training
    everything = client.get("/supervise/?status=not-started&all=1").get_data(as_text=True)
    assert f"/supervise/people/{done.id}" in everything


def test_while_nothing_is_required_every_course_is_shown_and_counted(app, make_user):
    learner = make_user("peer", team="North")
    client_learner = app.test_client()
    auth = Auth(client_learner)
    auth.login(learner)
    finish_lessons(client_learner, auth.token())
    client, _ = supervise(app, make_user)
    page = client.get("/supervise/?status=in-progress").get_data(as_text=True)
    assert f"/supervise/people/{learner.id}" in page and "Team orientation for clinicians" in page


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_tiles_say_every_course_is_counted_while_nothing_is_required(app, make_user, agency):
    make_user("peer", team="North")
    client, _ = supervise(app, make_user)
    page = client.get("/supervise/").get_data(as_text=True)
    assert 'aria-label="All training of the people shown"' in page
    assert "Required training of the people shown" not in page
    text = _text(page)
    assert "No training is required for the people shown yet" in text
    assert "Showing every course." in text and "Showing required training only." not in text

    assign(app, agency.id, role="peer")  # once something is required, the tiles count only that
    page = client.get("/supervise/").get_data(as_text=True)
    assert 'aria-label="Required training of the people shown"' in page
    assert "No training is required" not in page and "Showing required training only." in _text(page)
