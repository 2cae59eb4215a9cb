"""The learner's pages: My learning, a course, a lesson."""

from flask import Blueprint, abort, current_app, redirect, url_for
from flask_login import current_user, login_required

from lms.domain.markdown import ROLE_CARD_MARKER
from lms.domain.roles import ADMIN
from lms.extensions import db
from lms.services import progress
from lms.web.access import catalog
from lms.web.forms import EmptyForm
from lms.web.htmx import render_page, wants_fragment

bp = Blueprint("learn", __name__, url_prefix="/learn")


@login_required
def index():
    return redirect(url_for("learn.my_learning"))


@bp.get("/")
@login_required
def my_learning():
    courses = [course for course in catalog() if course.is_for(current_user.roles)]
    all_progress = progress.progress_in_all(current_user.id, catalog())
    return render_page(
        "learn/my_learning.html", ["content"], courses=courses, progress_by_course=all_progress
    )


@bp.get("/courses/<slug>/")
@login_required
def show_course(slug):
    course = _course_for_current_user(slug)
    return render_page(
        "learn/course.html", ["content"], course=course, progress=progress.progress_in(current_user.id, course)
    )


@bp.get("/courses/<slug>/lessons/<lesson_id>")
@login_required
def show_lesson(slug, lesson_id):
    course, lesson = _lesson_for_current_user(slug, lesson_id)
    progress.record_view(current_user.id, course, lesson.id)
    db.session.commit()
    return render_page("learn/lesson.html", ["lesson", "lesson_nav"], **_lesson_context(course, lesson))


@bp.post("/courses/<slug>/lessons/<lesson_id>/complete")
@login_required
def complete_lesson(slug, lesson_id):
    course, lesson = _lesson_for_current_user(slug, lesson_id)
    progress.complete_lesson(current_user.id, course, lesson.id)
    db.session.commit()
    if not wants_fragment():
        return redirect(url_for("learn.show_lesson", slug=slug, lesson_id=lesson_id), code=303)
    response = render_page("learn/lesson.html", ["lesson_status", "lesson_nav"], **_lesson_context(course, lesson))
    response.headers["HX-Trigger"] = "progress-updated"
    return response


def _course_for_current_user(slug):
    course = catalog().get(slug)
    if course is None:
        abort(404)
    if not (course.is_for(current_user.roles) or current_user.has_role(ADMIN)):
        abort(403)
    return course


def _lesson_for_current_user(slug, lesson_id):
    course = _course_for_current_user(slug)
    lesson = course.lesson(lesson_id)
    if lesson is None:
        abort(404)
    return course, lesson


def _lesson_context(course, lesson):
    before, after = course.neighbours(lesson.id)
    return {
        "course": course,
        "lesson": lesson,
        "position": course.lesson_ids.index(lesson.id) + 1,
        "previous_lesson": before,
        "next_lesson": after,
        "progress": progress.progress_in(current_user.id, course),
        "complete_form": EmptyForm(),
        "role_card_marker": ROLE_CARD_MARKER,
        "role_card_html": current_app.extensions["default_role_card_html"],
    }
