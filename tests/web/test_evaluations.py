"""Admins see evaluation results only as anonymous totals, from five responses."""

import pytest

from lms.domain.evaluation import read_evaluation
from lms.extensions import db
from lms.services.evaluations import submit_evaluation
from tests.web.helpers import GOOD_EVALUATION


def add_responses(app, make_user, count, comment="Helpful"):
    course = app.extensions["catalog"].get("starting-out")
    for _ in range(count):
        user = make_user("peer")
        with app.app_context():
            answers, _ = read_evaluation(course, {**GOOD_EVALUATION, "comment": comment})
            submit_evaluation(user.id, course, answers)
            db.session.commit()


@pytest.fixture
def admin_client(app, make_user, auth, client):
    auth.login(make_user("admin"))
    return client


def test_results_are_hidden_below_five_responses(app, make_user, admin_client):
    add_responses(app, make_user, 4)
    assert "Not enough answers yet" in admin_client.get("/admin/evaluations").get_data(as_text=True)
    page = admin_client.get("/admin/evaluations/starting-out").get_data(as_text=True)
    assert "4 people have answered" in page and "Helpful" not in page


def test_results_show_from_five_responses_without_names(app, make_user, admin_client):
    add_responses(app, make_user, 5)
    page = admin_client.get("/admin/evaluations/starting-out").get_data(as_text=True)
    assert "5 responses" in page and "<td>5.0</td>" in page and "100% said yes" in page
    assert "Helpful" in page and "Test Peer" not in page and "@example.org" not in page


@pytest.mark.parametrize("role", ["peer", "clinician", "supervisor"])
def test_only_admins_see_evaluations(client, auth, make_user, role):
    auth.login(make_user(role))
    assert client.get("/admin/evaluations").status_code == 403
    assert client.get("/admin/evaluations/starting-out").status_code == 403
