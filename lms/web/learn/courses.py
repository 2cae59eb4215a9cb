"""My learning, a course, a lesson, marking lessons complete."""

from datetime import date

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.domain.markdown import ROLE_CARD_MARKER, fill_blocks
from lms.domain.roles import ADMIN, CLINICIAN, PEER, SUPERVISOR
from lms.extensions import db
from lms.services import progress
from lms.services.agency_blocks import blocks_html
from lms.services.completion import complete_if_done, standing
from lms.services.learning import learner_home
from lms.services.role_card import role_card_html
from lms.web.access import catalog
from lms.web.htmx import push_url, render_page, wants_fragment
from lms.web.kept_pages import may_keep, render_kept
from lms.web.learn import bp
from lms.web.learn.certificate_card import certificate_card
from lms.web.learn.lesson_page import render_lesson
from lms.web.learn.lookup import course_for_current_user, lesson_for_current_user, prerequisites_left, vault

LEARNER_ROLES = {PEER, CLINICIAN}


def index():
    """The front door: a welcome for newcomers; once logged in, each person's own home."""
    if not current_user.is_authenticated:
        return render_template("welcome.html")
    if current_user.has_role(SUPERVISOR):
        return redirect(url_for("supervise.matrix"))
    if current_user.has_role(ADMIN) and not current_user.roles & LEARNER_ROLES:
        return redirect(url_for("admin.home"))
    return redirect(url_for("learn.my_learning"))


@bp.get("/")
@login_required
def my_learning():
    home = learner_home(current_user, catalog(), date.today())
    if not may_keep():
        return render_page("learn/my_learning.html", ["content"], **home.page())
    return render_kept("learn/my_learning.html", ["content"], home.key, home.page, {})


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
    course_standing = standing(current_user.id, course)
    return render_page(
        "learn/course.html",
        ["content"],
        course=course,
        standing=course_standing,
        card=certificate_card(course_standing),
        questions_served=len(course.questions_for(current_user.roles)),
        locked_by=prerequisites_left(course),
    )


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
    """Mark a lesson complete; the pager's Next and Finish buttons post here too (continue=…)."""
    course, lesson = lesson_for_current_user(slug, lesson_id)
    next_lesson = course.neighbours(lesson.id)[1] if request.form.get("continue") == "next" else None
    progress.complete_lesson(current_user.id, course, lesson.id)
    complete_if_done(current_user.id, course)
    if next_lesson:
        progress.record_view(current_user.id, course, next_lesson.id)
    db.session.commit()
    if request.form.get("continue") == "course":
        return redirect(url_for("learn.show_course", slug=slug), code=303)
    if next_lesson:
        return _show_next_lesson(course, next_lesson)
    if not wants_fragment():
        return redirect(url_for("learn.show_lesson", slug=slug, lesson_id=lesson_id, _anchor="lesson-status"), code=303)
    return render_lesson(["lesson_status", "lesson_nav"], lesson_context(course, lesson))


def _show_next_lesson(course, lesson):
    url = url_for("learn.show_lesson", slug=course.slug, lesson_id=lesson.id)
    if not wants_fragment():
        return redirect(url, code=303)
    response = push_url(render_lesson(["lesson", "lesson_nav"], lesson_context(course, lesson)), url)
    response.headers["Cache-Control"] = "private, no-store"  # the page holds the private reflection
    return response


def lesson_context(course, lesson, state=None, **extra):
    state = state or progress.lesson_state(vault(), current_user.id, course, lesson.id)
    before, after = course.neighbours(lesson.id)
    agency_blocks = blocks_html(current_user.agency_id, lesson.agency_blocks)
    return {
        "course": course,
        "lesson": lesson,
        "position": course.lesson_ids.index(lesson.id) + 1,
        "previous_lesson": before,
        "next_lesson": after,
        "progress": state.progress,
        "reflection": state.reflection,
        "certificate_code": state.certificate_code,  # render_lesson shows its card
        # The agency's own text for the lesson's blocks; the kept page has markers in their place.
        "agency_blocks_html": agency_blocks,
        "lesson_html": fill_blocks(lesson.html, agency_blocks),
        "role_card_marker": ROLE_CARD_MARKER,
        "role_card_html": role_card_html(current_user.agency, current_app.extensions["default_role_card_html"])
        if lesson.has_role_card
        else "",
        "reflection_draft": None,  # what the learner typed, when it could not be saved
        "reflection_error": None,
        **extra,
    }
