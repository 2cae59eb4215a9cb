"""My learning, a course, a lesson, marking lessons complete."""

from datetime import date

from flask import abort, current_app, make_response, redirect, url_for
from flask_login import current_user, login_required

from lms.domain.assignments import COMPLETE, OVERDUE
from lms.domain.assignments import standing as requirement_standing
from lms.domain.markdown import ROLE_CARD_MARKER
from lms.extensions import db
from lms.services import progress
from lms.services.completion import complete_if_done, standing
from lms.services.overview import overview_of
from lms.services.role_card import role_card_html
from lms.web.access import catalog
from lms.web.htmx import render_page, wants_fragment
from lms.web.learn import bp
from lms.web.learn.lesson_page import render_lesson
from lms.web.learn.lookup import course_for_current_user, lesson_for_current_user, vault


@login_required
def index():
    return redirect(url_for("learn.my_learning"))


@bp.get("/")
@login_required
def my_learning():
    learner = overview_of(current_user, catalog())
    today = date.today()
    assigned, offered = [], []
    for course in catalog():
        if course.slug in learner.requirements:
            completed_on = learner.completed_on.get(course.slug)
            status = requirement_standing(
                learner.requirements[course.slug], completed_on, learner.progress[course.slug].started, today
            )
            assigned.append((course, status))
        elif course.is_for(current_user.roles):
            offered.append(course)
    # Overdue first, then by due date; courses with no date last.
    assigned.sort(key=lambda item: (item[1].state != OVERDUE, item[1].state == COMPLETE, item[1].due_on or date.max))
    return render_page(
        "learn/my_learning.html", ["content"], assigned=assigned, offered=offered, progress_by_course=learner.progress,
        completed=learner.completed_on,
    )


@bp.get("/agency-logo")
@login_required
def agency_logo():
    agency = current_user.agency
    if agency.logo is None:
        abort(404)
    response = make_response(agency.logo)
    response.headers["Content-Type"] = agency.logo_mimetype
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/courses/<slug>/")
@login_required
def show_course(slug):
    course = course_for_current_user(slug)
    return render_page("learn/course.html", ["content"], course=course, standing=standing(current_user.id, course))


@bp.get("/courses/<slug>/lessons/<lesson_id>")
@login_required
def show_lesson(slug, lesson_id):
    course, lesson = lesson_for_current_user(slug, lesson_id)
    state = progress.lesson_state(vault(), current_user.id, course, lesson.id)
    # Only a first view writes; a repeat view sends no statement beyond that read.
    if not state.viewed and progress.record_view(current_user.id, course, lesson.id):
        db.session.commit()
        state = state.after_first_view(lesson.id)
    response = render_lesson(["lesson", "lesson_nav"], lesson_context(course, lesson, state))
    response.headers["Cache-Control"] = "private, no-store"  # the page holds the private reflection
    return response


@bp.post("/courses/<slug>/lessons/<lesson_id>/complete")
@login_required
def complete_lesson(slug, lesson_id):
    course, lesson = lesson_for_current_user(slug, lesson_id)
    progress.complete_lesson(current_user.id, course, lesson.id)
    complete_if_done(current_user.id, course)
    db.session.commit()
    if not wants_fragment():
        return redirect(url_for("learn.show_lesson", slug=slug, lesson_id=lesson_id), code=303)
    response = render_lesson(["lesson_status", "lesson_nav"], lesson_context(course, lesson))
    response.headers["HX-Trigger"] = "progress-updated"
    return response


def lesson_context(course, lesson, state=None, **extra):
    state = state or progress.lesson_state(vault(), current_user.id, course, lesson.id)
    before, after = course.neighbours(lesson.id)
    return {
        "course": course,
        "lesson": lesson,
        "position": course.lesson_ids.index(lesson.id) + 1,
        "previous_lesson": before,
        "next_lesson": after,
        "progress": state.progress,
        "reflection": state.reflection,
        "role_card_marker": ROLE_CARD_MARKER,
        "role_card_html": role_card_html(current_user.agency, current_app.extensions["default_role_card_html"])
        if lesson.has_role_card
        else "",
        "reflection_draft": None,  # what the learner typed, when it could not be saved
        "reflection_error": None,
        **extra,
    }
