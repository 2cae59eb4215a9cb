"""The end-of-course evaluation."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.domain.evaluation import read_evaluation
from lms.domain.progress import COMPLETE, EVALUATION_DUE
from lms.extensions import db
from lms.services.completion import complete_if_done, standing
from lms.services.evaluations import submit_evaluation
from lms.web.learn import bp
from lms.web.learn.lookup import course_for_current_user

RATING_LABELS = {1: "1 (not at all)", 2: "2", 3: "3", 4: "4", 5: "5 (completely)"}


def _course_open_for_evaluation(slug):
    course = course_for_current_user(slug)
    if not course.requires_evaluation:
        abort(404)
    course_standing = standing(current_user.id, course)
    return course, course_standing


@bp.get("/courses/<slug>/evaluation")
@login_required
def show_evaluation(slug):
    course, course_standing = _course_open_for_evaluation(slug)
    return _evaluation_page(course, course_standing, {}, {})


@bp.post("/courses/<slug>/evaluation")
@login_required
def submit_course_evaluation(slug):
    course, course_standing = _course_open_for_evaluation(slug)
    if course_standing.evaluated or course_standing.status not in (EVALUATION_DUE, COMPLETE):
        return redirect(url_for("learn.show_evaluation", slug=slug), code=303)
    answers, errors = read_evaluation(course, request.form)
    if errors:
        return _evaluation_page(course, course_standing, request.form, errors), 422
    submit_evaluation(current_user.id, course, answers)
    completion = complete_if_done(current_user.id, course)
    db.session.commit()
    if completion:
        flash(f"Thank you. You have completed {course.title}.", "success")
    else:
        flash("Thank you for your feedback.", "success")
    return redirect(url_for("learn.show_course", slug=slug), code=303)


def _evaluation_page(course, course_standing, values, errors):
    return render_template(
        "learn/evaluation.html", course=course, standing=course_standing, values=values, errors=errors, rating_labels=RATING_LABELS
    )
