"""Headers, login limits, all-or-nothing requests, concurrency and backups."""

import threading

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import CheckAttempt, CourseCompletion, LessonProgress, User
from tests.conftest import PASSWORD, Auth
from tests.web.helpers import GOOD_EVALUATION, RIGHT, post_login


def test_security_headers_on_every_page(client):
    for url in ("/auth/login", "/verify", "/no-such-page"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_scripts_or_styles(client, auth, make_user):
    auth.login(make_user("peer"))
    for url in ("/learn/", "/learn/courses/starting-out/", "/learn/courses/starting-out/lessons/listening"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and " style=" not in page and "hx-on" not in page


def test_failures_slow_down_that_client_without_revealing_whether_the_account_exists(make_app, make_user):
    app = make_app(LOGIN_FAILURE_LIMIT="3 per 15 minutes")
    peer = make_user("peer")
    client = app.test_client()
    statuses = [post_login(client, peer.email, "wrong password").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    waiting = post_login(client, peer.email, PASSWORD)  # even the right password waits, from this client
    assert waiting.status_code == 429 and "Too many tries" in waiting.get_data(as_text=True)
    unknown = [post_login(client, "nobody@example.org", "x").status_code for _ in range(4)]
    assert unknown == statuses  # an unknown address behaves exactly the same
    assert post_login(app.test_client(), make_user("peer").email, PASSWORD).status_code == 303  # others unaffected


def test_successful_logins_do_not_count_as_failures(make_app, make_user):
    app = make_app(LOGIN_FAILURE_LIMIT="2 per 15 minutes")
    peer = make_user("peer")
    for _ in range(4):
        client = app.test_client()
        assert post_login(client, peer.email, PASSWORD).status_code == 303


def test_login_is_rate_limited_per_client(make_app, make_user):
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [post_login(client, f"someone{i}@example.org", "x").status_code for i in range(4)]
    assert codes == [401, 401, 401, 429]


def test_login_starts_a_fresh_session(client, make_user):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    post_login(client, make_user("peer").email, PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session and "_user_id" in session


def test_a_request_that_fails_halfway_writes_nothing(app, client, auth, make_user, monkeypatch):
    peer = make_user("peer")
    auth.login(peer)
    token = auth.token()

    def explode(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("lms.web.learn.courses.complete_if_done", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post("/learn/courses/starting-out/lessons/welcome/complete", data={"csrf_token": token})
    assert response.status_code == 500 and "Something went wrong on our side" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LessonProgress)) == 0


def run_at_once(app, count, work):
    errors = []
    barrier = threading.Barrier(count)

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                work()
                db.session.commit()
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def count(app, model, **where):
    with app.app_context():
        query = sa.select(sa.func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return db.session.scalar(query)


@pytest.mark.parametrize("threads", [50])
def test_fifty_simultaneous_posts_leave_exactly_one_row_each(app, make_user, threads):
    from lms.domain.evaluation import read_evaluation
    from lms.services import checks, progress
    from lms.services.completion import complete_if_done
    from lms.services.evaluations import submit_evaluation

    course = app.extensions["catalog"].get("starting-out")
    user = make_user("peer")
    assert run_at_once(app, threads, lambda: progress.complete_lesson(user.id, course, "welcome")) == []
    assert count(app, LessonProgress, user_id=user.id) == 1

    with app.app_context():
        for lesson in course.lesson_ids:
            progress.complete_lesson(user.id, course, lesson)
        attempt_id = checks.open_attempt(user.id, course).id
        db.session.commit()

    def submit():
        attempt = db.session.get(CheckAttempt, attempt_id)
        checks.submit(attempt, course, {"peer"}, RIGHT, 80)

    assert run_at_once(app, threads, submit) == []
    with app.app_context():
        assert db.session.get(CheckAttempt, attempt_id).score == 100
        submit_evaluation(user.id, course, read_evaluation(course, GOOD_EVALUATION)[0])
        db.session.commit()
    assert run_at_once(app, threads, lambda: complete_if_done(user.id, course)) == []
    assert count(app, CourseCompletion, user_id=user.id) == 1


def test_sqlite_backup_restores(app, backend, runner, make_user, tmp_path, make_app):
    if backend != "sqlite":
        pytest.skip("flask backup is for SQLite; PostgreSQL uses pg_dump")
    peer = make_user("peer")
    target = tmp_path / "backup.sqlite"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    restored = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{target}")
    with restored.app_context():
        assert db.session.scalar(sa.select(User.email).where(User.id == peer.id)) == peer.email
    client = restored.test_client()
    Auth(client).login(peer)
    assert client.get("/learn/").status_code == 200
