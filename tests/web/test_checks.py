"""Knowledge checks, completion and the course page's states."""

import re
import threading

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Certificate, CheckAttempt, CourseCompletion, User
from lms.services import certificates
from lms.services.completion import complete_if_done
from tests.conftest import Auth
from tests.web.helpers import (
    CHECK,
    COURSE,
    COURSES_WITHOUT_CHECK,
    GOOD_EVALUATION,
    HTMX,
    LESSONS,
    RIGHT,
    SHORT_COURSE,
    SHORT_LESSONS,
    WRONG,
    finish_lessons,
    logged_in,
    open_check,
    pass_check,
    submit,
)


def completions(app, user_id):
    with app.app_context():
        return db.session.scalars(sa.select(CourseCompletion).where(CourseCompletion.user_id == user_id)).all()


def test_check_waits_until_every_lesson_is_done(client, token):
    page = client.get(CHECK).get_data(as_text=True)
    assert "Finish every lesson first" in page
    assert "/check/attempts/" not in page


def test_check_page_never_contains_the_answer_key(client, token):
    finish_lessons(client, token)
    _, page = open_check(client)
    assert "What do peers often bring to a team?" in page
    assert "Trust with people who are unsure about services." in page
    for secret in ("correct", "Yes. Shared experience helps build trust.", "No. Medication is not part"):
        assert secret not in page


def test_reloading_shows_the_same_attempt_in_the_same_order(client, token):
    finish_lessons(client, token)
    first_id, first = open_check(client)
    second_id, second = open_check(client)
    assert first_id == second_id
    order = lambda page: re.findall(r'id="q-(q\d)-([a-d])"', page)  # noqa: E731
    assert order(first) == order(second)


def test_failing_then_passing_then_evaluating_completes_the_course(app, client, token, peer):
    finish_lessons(client, token)
    attempt_id, _ = open_check(client)
    failed = submit(client, token, attempt_id, WRONG)
    assert failed.status_code == 303
    result = client.get(failed.headers["Location"]).get_data(as_text=True)
    assert "Your result: 50%, not a pass yet" in result
    assert "No. Carrying it alone wears you down." in result  # feedback for the choice made
    assert "The right answer: Bring it to supervision." in " ".join(re.sub(r"<[^>]+>", " ", result).split())
    assert "Your last check score was 50%" in client.get(COURSE).get_data(as_text=True)
    assert completions(app, peer.id) == []

    retake_id, _ = open_check(client)
    assert retake_id != attempt_id
    passed = client.get(submit(client, token, retake_id, RIGHT).headers["Location"]).get_data(as_text=True)
    assert "Your result: 100%, a pass" in passed
    assert "give feedback on the course" in passed
    assert "One last step: tell us what you thought" in client.get(COURSE).get_data(as_text=True)
    assert completions(app, peer.id) == []  # the evaluation is still due

    response = client.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "csrf_token": token})
    assert response.status_code == 303
    page = client.get(COURSE).get_data(as_text=True)
    assert "Complete. You finished this course on" in page
    assert "with a check score of 100%: 0.5 estimated contact hours" in page
    [completion] = completions(app, peer.id)
    assert completion.score == 100 and completion.ce_hours == 0.5
    assert completion.course_version == app.extensions["catalog"].get("starting-out").version
    with app.app_context():
        attempts = db.session.scalars(sa.select(CheckAttempt).where(CheckAttempt.user_id == peer.id).order_by(CheckAttempt.id)).all()
    assert [(a.score, a.passed) for a in attempts] == [(50, False), (100, True)]
    assert all(a.answers and a.submitted_at for a in attempts)


def test_incomplete_answers_are_refused_and_kept(client, token, app, peer):
    finish_lessons(client, token)
    attempt_id, _ = open_check(client)
    response = submit(client, token, attempt_id, {"q1": "c"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please answer every question" in page and "1 question is still without an answer" in page
    assert re.search(r'id="q-q1-c" name="q-q1" value="c"\s+checked', page)
    with app.app_context():
        assert db.session.get(CheckAttempt, attempt_id).submitted_at is None


def _text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_after_a_wrong_answer_the_result_explains_the_right_one_and_only_then(client, token):
    finish_lessons(client, token)
    attempt_id, check_page = open_check(client)
    assert "Supervision is the place for things" not in check_page  # never before submitting
    response = submit(client, token, attempt_id, WRONG, headers={**HTMX, "X-CSRFToken": token})  # q1 right, q2 wrong
    result = _text(response.get_data(as_text=True))
    wrong = result.split("A visit leaves you uneasy.")[1]
    assert "Your answer: Keep it to yourself. (not right)" in wrong
    assert "The right answer: Bring it to supervision. Yes. Supervision is the place for things that do not sit right." in wrong
    right = result.split("What do peers often bring to a team?")[1].split("A visit leaves you uneasy.")[0]
    assert "The right answer" not in right  # answered right: nothing more to explain
    assert result.count("The right answer") == 1
    # the same on the full page, without JavaScript
    assert "The right answer: Bring it to supervision." in _text(client.get(f"{CHECK}/attempts/{attempt_id}").get_data(as_text=True))


def test_htmx_submit_swaps_the_result_in_place_and_pushes_its_url(client, token):
    finish_lessons(client, token)
    attempt_id, _ = open_check(client)
    response = submit(client, token, attempt_id, RIGHT, headers={**HTMX, "X-CSRFToken": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == f"{CHECK}/attempts/{attempt_id}"
    assert "<html" not in page and page.lstrip().startswith("<title>") and '<div id="check"' in page
    assert "Your result: 100%, a pass" in page


def test_a_repeated_post_does_not_regrade(client, token, app):
    finish_lessons(client, token)
    attempt_id, _ = open_check(client)
    submit(client, token, attempt_id, WRONG)
    submit(client, token, attempt_id, RIGHT)
    with app.app_context():
        assert db.session.get(CheckAttempt, attempt_id).score == 50


def test_someone_elses_attempt_is_404(client, token, make_user, auth, app):
    finish_lessons(client, token)
    attempt_id, _ = open_check(client)
    other = make_user("peer")
    auth.client.post("/auth/logout", data={"csrf_token": token})
    auth.login(other)
    other_token = auth.token()
    assert client.get(f"{CHECK}/attempts/{attempt_id}").status_code == 404
    assert submit(client, other_token, attempt_id, RIGHT).status_code == 404


def test_evaluation_before_passing_is_not_accepted(client, token, app, peer):
    finish_lessons(client, token)
    response = client.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "csrf_token": token})
    assert response.status_code == 303
    assert "after you pass the knowledge check" in client.get(COURSE + "evaluation").get_data(as_text=True)


def test_bad_evaluation_shows_errors_and_keeps_answers(client, token):
    finish_lessons(client, token)
    pass_check(client, token)
    response = client.post(COURSE + "evaluation", data={"objective-O1": "4", "comment": "Kept", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Some answers are missing" in page and "Kept</textarea>" in page
    assert 'id="objective-O1-4" name="objective-O1" value="4" checked' in page


def test_completion_is_created_once_under_concurrent_requests(app, make_user):
    course = app.extensions["catalog"].get("starting-out")
    user = make_user("peer")
    with app.app_context():
        from lms.domain.evaluation import read_evaluation
        from lms.services import checks, progress
        from lms.services.evaluations import submit_evaluation

        for lesson in course.lesson_ids:
            progress.complete_lesson(user.id, course, lesson)
        attempt = checks.open_attempt(user.id, course)
        checks.submit(attempt, course, {"peer"}, RIGHT, 80)
        submit_evaluation(user.id, course, read_evaluation(course, GOOD_EVALUATION)[0])
        db.session.commit()

    errors = []
    barrier = threading.Barrier(20)

    def finish():
        try:
            with app.app_context():
                barrier.wait()
                complete_if_done(user.id, course)
                db.session.commit()
        except Exception as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=finish) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(completions(app, user.id)) == 1


def test_completion_survives_a_course_update(app, client, token, peer, make_app, tmp_path):
    import shutil

    from tests.conftest import FIXTURE_COURSES, Auth

    finish_lessons(client, token)
    pass_check(client, token)
    client.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "csrf_token": token})

    courses = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, courses)
    lesson = courses / "starting-out" / "03-supervision.md"
    lesson.write_text(lesson.read_text() + "\nA new paragraph.\n")
    updated = make_app(COURSES_DIR=str(courses))
    other = updated.test_client()
    Auth(other).login(peer)
    page = other.get(COURSE).get_data(as_text=True)
    assert "Complete. You finished this course on" in page
    assert "It has been updated since; your completion still counts." in page
    [completion] = completions(app, peer.id)
    day = completion.completed_at
    assert f"You completed the version of {day:%B} {day.day}, {day.year}." in page
    assert completion.course_version not in page  # a date, never the content hash


def test_yearly_renewal_opens_and_a_new_pass_earns_the_next_round(app, client, token, peer):
    from datetime import timedelta

    from lms.models import Assignment, Certificate, User

    with app.app_context():
        agency_id = db.session.get(User, peer.id).agency_id
        db.session.add(Assignment(agency_id=agency_id, course_slug="starting-out", role="peer", renew_yearly=True, renew_days_before=30))
        db.session.commit()
    finish_lessons(client, token)
    pass_check(client, token)
    client.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "csrf_token": token})
    assert "Time to renew" not in client.get(COURSE).get_data(as_text=True)

    with app.app_context():  # a year passes
        completion = db.session.scalar(sa.select(CourseCompletion))
        completion.completed_at -= timedelta(days=350)
        for attempt in db.session.scalars(sa.select(CheckAttempt)):
            attempt.submitted_at -= timedelta(days=350)
        db.session.commit()
    page = client.get(COURSE).get_data(as_text=True)
    assert "Time to renew" in page
    assert "Time to renew: due" in client.get("/learn/").get_data(as_text=True)
    with app.app_context():
        assert complete_if_done(peer.id, app.extensions["catalog"].get("starting-out")).round == 1  # no new pass yet

    pass_check(client, token)
    with app.app_context():
        rounds = db.session.scalars(sa.select(CourseCompletion.round).order_by(CourseCompletion.round)).all()
        certificates = db.session.scalar(sa.select(sa.func.count()).select_from(Certificate))
    assert rounds == [1, 2] and certificates == 2
    assert "Time to renew" not in client.get(COURSE).get_data(as_text=True)


SUPERVISOR_PROMPT = "For supervisors: a peer asks to talk about a hard visit."


def test_a_peer_is_never_served_a_supervisor_only_question(client, token):
    assert "the knowledge check (2 questions)" not in client.get(COURSE).get_data(as_text=True)  # lessons not done
    finish_lessons(client, token)
    assert "the knowledge check (2 questions)" in client.get(COURSE).get_data(as_text=True)
    attempt_id, page = open_check(client)
    assert "2 questions." in page and SUPERVISOR_PROMPT not in page and 'name="q-q3"' not in page
    # An answer to a question the peer was not served is ignored, not graded.
    result = client.get(submit(client, token, attempt_id, {**RIGHT, "q3": "a"}).headers["Location"])
    assert "Your result: 100%, a pass" in result.get_data(as_text=True)


def test_a_supervisor_is_served_and_graded_on_the_supervisor_question(app, make_user):
    supervisor = make_user("supervisor")
    client = app.test_client()
    auth = Auth(client)
    auth.login(supervisor)
    token = auth.token()
    finish_lessons(client, token)
    attempt_id, page = open_check(client)
    assert "3 questions." in page and SUPERVISOR_PROMPT in page
    unanswered = submit(client, token, attempt_id, RIGHT)
    assert unanswered.status_code == 422 and "1 question is still without an answer" in unanswered.get_data(as_text=True)
    result = client.get(submit(client, token, attempt_id, {**RIGHT, "q3": "a"}).headers["Location"]).get_data(as_text=True)
    assert "Your result: 66%, not a pass yet" in result
    assert "No. A hard visit is worth talking about soon." in result
    with app.app_context():
        attempt = db.session.get(CheckAttempt, attempt_id)
        assert attempt.answers == {"q1": "a", "q2": "b", "q3": "a"} and attempt.score == 66


def _course_without_evaluation(tmp_path):
    import shutil

    from tests.conftest import FIXTURE_COURSES

    courses = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, courses)
    course_file = courses / "starting-out" / "course.md"
    course_file.write_text(course_file.read_text().replace("---\n", "---\nrequires_evaluation: false\n", 1))
    return str(courses)


def test_completion_shows_the_certificate_card_with_download_and_public_link(app, client, token, peer):
    finish_lessons(client, token)
    pass_check(client, token)
    before = _text(client.get(COURSE).get_data(as_text=True))
    assert "Your certificate is ready" not in before  # not complete yet: the evaluation is due
    client.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "csrf_token": token})
    with app.app_context():
        from lms.models import Certificate

        code = db.session.scalar(sa.select(Certificate.code).where(Certificate.user_id == peer.id))
    page = client.get(COURSE).get_data(as_text=True)
    assert "Thank you. You have completed Starting out as a peer." in page  # the moment it happened
    assert "Your certificate is ready" in page
    assert f'href="/certificates/{code}.pdf"' in page and "Download your certificate (PDF)" in page
    assert f'href="http://localhost/verify/{code}"' in page
    assert client.get(f"/certificates/{code}.pdf").data.startswith(b"%PDF")
    fragment = client.get(COURSE, headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and "Your certificate is ready" in fragment


def test_a_pass_that_completes_the_course_shows_the_card_with_and_without_htmx(make_app, make_user, tmp_path):
    app = make_app(COURSES_DIR=_course_without_evaluation(tmp_path))
    for headers in ({}, HTMX):
        learner = make_user("peer")
        client = app.test_client()
        auth = Auth(client)
        auth.login(learner)
        token = auth.token()
        finish_lessons(client, token)
        attempt_id, _ = open_check(client)
        response = submit(client, token, attempt_id, RIGHT, headers={**headers, "X-CSRFToken": token})
        page = client.get(response.headers["Location"]).get_data(as_text=True) if not headers else response.get_data(as_text=True)
        assert ("<html" in page) is not bool(headers)
        assert "Your certificate is ready" in page and "Download your certificate (PDF)" in page
        assert re.search(r'href="http://localhost/verify/[0-9A-Z-]{19}"', page)


def test_a_failed_attempt_shows_no_certificate_card(client, token):
    finish_lessons(client, token)
    attempt_id, _ = open_check(client)
    page = client.get(submit(client, token, attempt_id, WRONG).headers["Location"]).get_data(as_text=True)
    assert "Your certificate is ready" not in page


def finish_the_short_course(app, make_user, headers):
    """A new learner marks both lessons of the short course complete, the last with `headers`; (client, last response)."""
    learner = make_user("peer")
    client, token = logged_in(app, learner)
    first, last = (f"{SHORT_COURSE}lessons/{lesson}" for lesson in SHORT_LESSONS)
    assert client.post(first + "/complete", data={"csrf_token": token}).status_code == 303
    assert "Your certificate is ready" not in client.get(first).get_data(as_text=True)  # one lesson is left
    return learner, client, client.post(last + "/complete", data={"csrf_token": token}, headers=headers)


def certificate_code_of(app, user_id):
    with app.app_context():
        return db.session.scalar(sa.select(Certificate.code).where(Certificate.user_id == user_id))


def test_marking_the_last_lesson_of_a_course_without_a_check_shows_the_card(make_app, make_user):
    app = make_app(COURSES_DIR=COURSES_WITHOUT_CHECK)
    learner, client, response = finish_the_short_course(app, make_user, {})
    last_lesson = f"{SHORT_COURSE}lessons/{SHORT_LESSONS[-1]}"
    assert response.status_code == 303 and response.headers["Location"] == last_lesson + "#lesson-status"
    code = certificate_code_of(app, learner.id)
    page = client.get(last_lesson).get_data(as_text=True)
    assert "You have finished every lesson in this course." in page
    assert "Your certificate is ready" in page and "Download your certificate (PDF)" in page
    assert f'href="/certificates/{code}.pdf"' in page and f'href="http://localhost/verify/{code}"' in page
    assert client.get(f"/certificates/{code}.pdf").data.startswith(b"%PDF")
    assert client.get(f"/verify/{code}").status_code == 200
    assert "Your certificate is ready" in client.get(last_lesson).get_data(as_text=True)  # the kept page, viewed again


def test_marking_the_last_lesson_complete_with_htmx_swaps_in_the_card(make_app, make_user):
    app = make_app(COURSES_DIR=COURSES_WITHOUT_CHECK)
    learner, client, response = finish_the_short_course(app, make_user, HTMX)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in fragment
    code = certificate_code_of(app, learner.id)
    assert "You finished this lesson." in fragment and "Your certificate is ready" in fragment
    assert f'href="/certificates/{code}.pdf"' in fragment and f'href="http://localhost/verify/{code}"' in fragment
    page = client.get(f"{SHORT_COURSE}lessons/{SHORT_LESSONS[-1]}").get_data(as_text=True)
    assert "<html" in page and "Your certificate is ready" in page


def test_a_revoked_certificate_leaves_the_lesson_page_at_once(make_app, make_user):
    """The kept lesson page follows the learner's completion: its card goes with the certificate."""
    app = make_app(COURSES_DIR=COURSES_WITHOUT_CHECK)
    admin = make_user("admin", team=None)
    learner, client, _ = finish_the_short_course(app, make_user, HTMX)
    last_lesson = f"{SHORT_COURSE}lessons/{SHORT_LESSONS[-1]}"
    for headers in ({}, HTMX):
        assert "Your certificate is ready" in client.get(last_lesson, headers=headers).get_data(as_text=True)
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == learner.id))
        certificates.revoke(certificate, db.session.get(User, admin.id), "Issued by mistake.")
        db.session.commit()
    for headers in ({}, HTMX):
        page = client.get(last_lesson, headers=headers).get_data(as_text=True)
        assert "You have finished every lesson in this course." in page and "Your certificate is ready" not in page


def test_a_completed_course_lesson_offers_the_certificate_not_the_check(client, token):
    finish_lessons(client, token)
    pass_check(client, token)
    client.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "csrf_token": token})
    page = client.get(f"{COURSE}lessons/{LESSONS[-1]}").get_data(as_text=True)
    assert "Your certificate is ready" in page
    assert "Take the knowledge check" not in page and "Back to the course page" in page
