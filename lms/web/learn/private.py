"""A learner's private writing: reflections and the self-care plan. Only the author sees it."""

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.domain.wording import counted
from lms.extensions import db, limiter
from lms.services import pdf_cache, private_writing
from lms.services.invalid_input import InvalidInput
from lms.web.access import catalog, safe_next
from lms.web.downloads import attachment, pdf_rate_limit, pdf_user_key, private_pdf_from_template
from lms.web.errors import render_error
from lms.web.htmx import render_page, wants_fragment
from lms.web.learn import bp
from lms.web.learn.courses import lesson_context
from lms.web.learn.forms import ReflectionForm, self_care_plan_form
from lms.web.learn.lesson_page import render_lesson
from lms.web.learn.lookup import lesson_for_current_user, vault

NO_STORE = "private, no-store"  # private writing must not linger in shared caches


@bp.post("/courses/<slug>/lessons/<lesson_id>/reflection")
@login_required
def save_reflection(slug, lesson_id):
    course, lesson = lesson_for_current_user(slug, lesson_id)
    form = ReflectionForm()
    try:
        text = form.checked()
    except InvalidInput as error:  # the whole lesson page, or for htmx its status line: render_lesson decides
        draft = {"reflection_error": error.errors["reflection"], "reflection_draft": form.reflection.data}
        return render_lesson(["reflection_status"], lesson_context(course, lesson, **draft)), 422
    private_writing.save_reflection(vault(), current_user.id, course.slug, lesson.id, text)
    db.session.commit()
    if wants_fragment():  # the autosave: htmx swaps in the "Saved" line
        return render_page("learn/lesson.html", ["reflection_status"], **lesson_context(course, lesson))
    flash("Your reflection is saved." if text else "Your reflection is deleted.", "success")
    return redirect(url_for("learn.show_lesson", slug=slug, lesson_id=lesson_id, _anchor="reflection"), code=303)


@bp.get("/reflections")
@login_required
def my_reflections():
    response = make_response(render_template("learn/reflections.html", groups=_reflection_groups()))
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.post("/reflections/<int:reflection_id>/delete")
@login_required
def delete_reflection(reflection_id):
    if not private_writing.delete_reflection(current_user.id, reflection_id):
        abort(404)
    db.session.commit()
    flash("That reflection is deleted.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("learn.my_reflections")), code=303)


@bp.post("/reflections/delete-all")
@login_required
def delete_all_reflections():
    if request.form.get("confirm") != "yes":
        flash("Nothing was deleted. Tick the box to confirm that you want to delete every reflection.", "error")
        return redirect(url_for("learn.my_reflections"), code=303)
    count = private_writing.delete_all_reflections(current_user.id)
    db.session.commit()
    flash(f"{counted(count, 'reflection')} deleted.", "success")
    return redirect(url_for("learn.my_reflections"), code=303)


@bp.get("/reflections.md")
@login_required
def download_reflections_markdown():
    text = render_template("learn/print/reflections.md", groups=_reflection_groups())
    return _download(text.encode("utf-8"), "text/markdown; charset=utf-8", "my-reflections.md")


@bp.get("/reflections.pdf")
@login_required
@limiter.limit(pdf_rate_limit, key_func=pdf_user_key)
def download_reflections_pdf():
    groups = _reflection_groups()
    characters = sum(len(reflection.text) for _, _, items in groups for _, reflection in items)
    budget = current_app.config["PDF_MAX_CHARACTERS"]
    if characters > budget:
        return render_error(
            413,
            f"Your reflections are too long to fit in one PDF: they have {characters:,} characters, "
            f"and a PDF holds up to {budget:,}. Download them as a text file instead: it has "
            "every reflection, and any word processor can open and print it.",
        )
    pdf = private_pdf_from_template(pdf_cache.REFLECTIONS, "learn/print/reflections.html", groups=groups)
    db.session.commit()
    return _download(pdf, "application/pdf", "my-reflections.pdf")


@bp.get("/self-care-plan")
@login_required
def show_plan():
    return _plan_page(private_writing.plan_of(vault(), current_user.id), {})


@bp.post("/self-care-plan")
@login_required
def save_plan():
    form = self_care_plan_form(_plan_sections())
    try:
        plan = form.checked()
    except InvalidInput as error:
        draft = private_writing.PlanText(form.answers(), None, None)
        return _plan_page(draft, error.errors, review_text=form.review_text()), 422
    private_writing.save_plan(vault(), current_user.id, plan.sections, plan.review_on)
    db.session.commit()
    flash("Your self-care plan is saved.", "success")
    return redirect(url_for("learn.show_plan"), code=303)


@bp.get("/self-care-plan.pdf")
@login_required
@limiter.limit(pdf_rate_limit, key_func=pdf_user_key)
def download_plan_pdf():
    plan = private_writing.plan_of(vault(), current_user.id)
    pdf = private_pdf_from_template(pdf_cache.SELF_CARE_PLAN, "learn/print/self_care_plan.html", plan=plan, sections=_plan_sections())
    db.session.commit()
    return _download(pdf, "application/pdf", "my-self-care-plan.pdf")


def _plan_page(plan, errors, review_text=None):
    response = make_response(
        render_template(
            "learn/self_care_plan.html",
            plan=plan,
            sections=_plan_sections(),
            errors=errors,
            review_text=review_text if review_text is not None else (plan.review_on.isoformat() if plan.review_on else ""),
        )
    )
    response.headers["Cache-Control"] = NO_STORE
    return response


def _plan_sections():
    """The plan's parts come from the self-care course (plan.yaml)."""
    course = next((course for course in catalog() if course.plan_sections), None)
    if course is None:
        abort(404)
    return course.plan_sections


def _reflection_groups():
    """[(course, [(lesson or None, reflection)])] in course and lesson order."""
    by_course = {}
    for reflection in private_writing.reflections_of(vault(), current_user.id):
        by_course.setdefault(reflection.course_slug, []).append(reflection)
    groups = []
    for slug, reflections in by_course.items():
        course = catalog().get(slug)
        order = {lesson_id: i for i, lesson_id in enumerate(course.lesson_ids)} if course else {}
        items = [(course.lesson(r.lesson_id) if course else None, r) for r in reflections]
        items.sort(key=lambda item: order.get(item[1].lesson_id, len(order)))
        groups.append((course, slug, items))
    return groups


def _download(body: bytes, mimetype: str, name: str):
    return attachment(body, mimetype, name, NO_STORE)
