"""The knowledge check: take it, see the result, retake it."""

from flask import abort, redirect, request, url_for
from flask_login import current_user, login_required

from lms.domain.grading import IncompleteAnswers, pass_mark_for, shuffled
from lms.domain.progress import LESSONS_DONE
from lms.extensions import db
from lms.services import checks
from lms.services.completion import complete_if_done, standing
from lms.services.progress import progress_in
from lms.web.htmx import push_url, render_page, wants_fragment
from lms.web.learn import bp
from lms.web.learn.certificate_card import certificate_card
from lms.web.learn.lookup import open_course_for_current_user


def _course_with_check(slug):
    course = open_course_for_current_user(slug)
    if not course.questions:
        abort(404)
    return course


def _own_attempt(course, attempt_id):
    """The learner's own attempt; anyone else's answers 404."""
    attempt = checks.attempt_of(current_user.id, course, attempt_id)
    if attempt is None:
        abort(404)
    return attempt


@bp.get("/courses/<slug>/check")
@login_required
def show_check(slug):
    course = _course_with_check(slug)
    course_standing = standing(current_user.id, course)
    attempt = None
    if course_standing.progress.state == LESSONS_DONE:
        attempt = checks.open_attempt(current_user.id, course)
        db.session.commit()
    return _check_page(course, course_standing, attempt)


def _check_page(course, course_standing, attempt, answers=None, missing=(), status=200):
    questions = shuffled(course.questions_for(current_user.roles), attempt.id) if attempt else ()
    page = render_page(
        "learn/check.html",
        ["check"],
        course=course,
        standing=course_standing,
        attempt=attempt,
        questions=questions,
        answers=answers or {},
        missing=set(missing),
        pass_mark=pass_mark_for(course, current_user.agency.default_pass_mark),
    )
    page.status_code = status
    return page


@bp.post("/courses/<slug>/check/attempts/<int:attempt_id>")
@login_required
def submit_check(slug, attempt_id):
    course = _course_with_check(slug)
    attempt = _own_attempt(course, attempt_id)
    if progress_in(current_user.id, course).state != LESSONS_DONE:
        return redirect(url_for("learn.show_check", slug=slug), code=303)
    answers = {q.id: request.form.get(f"q-{q.id}", "") for q in course.questions_for(current_user.roles)}
    try:
        checks.submit(attempt, course, current_user.roles, answers, current_user.agency.default_pass_mark)
    except IncompleteAnswers as incomplete:
        return _check_page(course, standing(current_user.id, course), attempt, answers, incomplete.missing, 422)
    complete_if_done(current_user.id, course)
    db.session.commit()
    result_url = url_for("learn.show_check_result", slug=slug, attempt_id=attempt.id)
    if not wants_fragment():
        return redirect(result_url, code=303)
    return push_url(_result_page(course, attempt), result_url)


@bp.get("/courses/<slug>/check/attempts/<int:attempt_id>")
@login_required
def show_check_result(slug, attempt_id):
    course = _course_with_check(slug)
    attempt = _own_attempt(course, attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("learn.show_check", slug=slug))
    return _result_page(course, attempt)


def _result_page(course, attempt):
    course_standing = standing(current_user.id, course)
    return render_page(
        "learn/check_result.html",
        ["result"],
        course=course,
        attempt=attempt,
        grade=checks.marked(attempt, course),
        standing=course_standing,
        # the moment the passing attempt completes the course (no evaluation asked), its certificate
        card=certificate_card(course_standing) if attempt.passed else None,
    )
