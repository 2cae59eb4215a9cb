"""Finding the course or lesson a URL names, for the current learner only."""

from flask import abort, current_app
from flask_login import current_user

from lms.domain.roles import ADMIN
from lms.services.assignments import requirements_of
from lms.web.access import catalog


def course_for_current_user(slug):
    course = catalog().get(slug)
    if course is None:
        abort(404)
    if not (course.is_for(current_user.roles) or current_user.has_role(ADMIN) or slug in requirements_of(current_user)):
        abort(403)
    return course


def lesson_for_current_user(slug, lesson_id):
    course = course_for_current_user(slug)
    lesson = course.lesson(lesson_id)
    if lesson is None:
        abort(404)
    return course, lesson


def vault():
    return current_app.extensions["vault"]
