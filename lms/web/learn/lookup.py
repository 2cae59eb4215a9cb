"""Finding the course or lesson a URL names, for the current learner only."""

from types import SimpleNamespace

from flask import abort, current_app, flash, redirect, url_for
from flask_login import current_user

from lms.domain.roles import ADMIN
from lms.services.assignments import latest_completions, requirements_of
from lms.web.access import catalog


def course_for_current_user(slug):
    course = catalog().get(slug)
    if course is None:
        abort(404)
    if not (course.is_for(current_user.roles) or current_user.has_role(ADMIN) or slug in requirements_of(current_user)):
        abort(403)
    return course


def prerequisites_left(course):
    """The courses the learner must finish before this one (title and slug); empty when it is open."""
    if not course.requires:
        return []
    completed = {slug for (_, slug) in latest_completions([current_user.id])}
    return [catalog().get(slug) or SimpleNamespace(slug=slug, title="") for slug in course.missing_prerequisites(completed)]


def open_course_for_current_user(slug):
    """The course, when its prerequisites are done; otherwise back to the course page, which says what is left."""
    course = course_for_current_user(slug)
    left = prerequisites_left(course)
    if left:
        flash(f"Finish {', '.join(c.title or c.slug for c in left)} first.", "info")
        abort(redirect(url_for("learn.show_course", slug=slug), code=303))
    return course


def lesson_for_current_user(slug, lesson_id):
    course = open_course_for_current_user(slug)
    lesson = course.lesson(lesson_id)
    if lesson is None:
        abort(404)
    return course, lesson


def vault():
    return current_app.extensions["vault"]
