"""My learning's cost per view, and that the page kept between views is never stale.

A view loads the learner (with roles, agency and the agency's published courses) and, in
one statement, everything the page shows of the learner; a learning path assigned to
them adds one statement for its steps. The kept page must be exactly what the template
renders, through every change a learner or an admin makes.
"""

from datetime import date, timedelta

import pytest

from lms.extensions import db
from lms.models import Assignment, LearningPath, User
from tests.conftest import csrf_token_from
from tests.sql_statements import statements_of
from tests.web.helpers import COURSE
from tests.web.test_lesson_budget import (
    is_write,
    log_in,
    page_without_tokens,
)

HOME = "/learn/"


def test_my_learning_sends_two_statements_and_writes_nothing(app, client, peer):
    client.get(HOME)
    statements = statements_of(app, client, HOME)
    assert len(statements) <= 2, statements  # the learner with the agency's published courses, the learner's facts
    assert not any(is_write(s) for s in statements), statements


@pytest.mark.parametrize("roles", [("peer",), ("peer", "supervisor")])
def test_the_kept_page_is_the_page_the_template_renders(app, make_app, make_user, client, roles):
    """The same page from an app that renders every view, after each thing that changes it."""
    learner = make_user(*roles)
    rendering = make_app(TEMPLATES_AUTO_RELOAD=True).test_client()
    log_in(client, learner)
    log_in(rendering, learner)
    token = csrf_token_from(client.get(HOME).get_data(as_text=True))

    def assign(**rule):
        with app.app_context():
            db.session.add(Assignment(agency_id=learner.agency_id, course_slug="starting-out", **rule))
            db.session.commit()

    def add_path(title):
        with app.app_context():
            path = LearningPath(agency_id=learner.agency_id, slug="orientation", title=title, course_slugs=["starting-out"])
            db.session.add(path)
            db.session.flush()
            db.session.add(Assignment(agency_id=learner.agency_id, course_slug="starting-out", role="peer", path_id=path.id))
            db.session.commit()
            return path.id

    def rename_path(path_id, title):
        with app.app_context():
            db.session.get(LearningPath, path_id).title = title
            db.session.commit()

    seen = []
    steps = [
        lambda: None,
        lambda: client.get(COURSE + "lessons/welcome"),  # started: "Continue where you left off"
        lambda: client.post(COURSE + "lessons/welcome/complete", data={"csrf_token": token}),
        lambda: assign(user_id=learner.id, due_on=date.today() + timedelta(days=5)),  # due soon
        lambda: assign(role="peer", due_on=date.today() - timedelta(days=2)),  # overdue
    ]
    for step in steps:
        step()
        kept = page_without_tokens(client, HOME)
        assert kept == page_without_tokens(client, HOME)  # served from the kept page
        assert kept == page_without_tokens(rendering, HOME)
        seen.append(kept)
    assert len(set(seen)) == len(seen)  # every step changed the page
    assert "Continue where you left off" in seen[1] and "Due soon" in seen[3] and "overdue" in seen[4]

    path_id = add_path("Peer orientation")
    assert "Peer orientation" in page_without_tokens(client, HOME)
    rename_path(path_id, "First weeks")
    page = page_without_tokens(client, HOME)
    assert "First weeks" in page and "Peer orientation" not in page
    assert page == page_without_tokens(rendering, HOME)
    assert len(statements_of(app, client, HOME)) == 3  # and one for the path's steps


def test_one_kept_page_never_shows_another_learners_name(app, make_user):
    names = {}
    for learner, name in ((make_user("peer"), "Alex Rivera"), (make_user("peer"), "Sam Okafor")):
        with app.app_context():
            db.session.get(User, learner.id).name = name
            db.session.commit()
        names[name] = learner
    for name in ("Alex Rivera", "Sam Okafor", "Alex Rivera"):
        client = app.test_client()
        log_in(client, names[name])
        for _ in range(2):
            page = page_without_tokens(client, HOME)
            assert f"Hello, {name}." in page
            assert ({"Alex Rivera", "Sam Okafor"} - {name}).pop() not in page
