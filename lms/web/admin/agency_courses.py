"""Admins: the agency's own courses — write them in the browser or upload a ZIP, check, publish."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.domain.course_files import ALLOWED_FILE, ordered_file_names, preview_html
from lms.domain.markdown import blocks_in, fill_blocks
from lms.domain.roles import ADMIN
from lms.extensions import db
from lms.services import agency_courses
from lms.services.agency_blocks import blocks_html
from lms.services.agency_courses import PublishRefused
from lms.services.invalid_input import InvalidInput
from lms.web.access import role_required
from lms.web.admin import bp
from lms.web.admin.forms import CourseUploadForm, NewAgencyCourseForm
from lms.web.downloads import attachment
from lms.web.htmx import render_page

FILE_FIELD = "file:"  # form fields are named file:<file name>


@bp.get("/agency-courses")
@role_required(ADMIN)
def agency_course_list():
    return _list_page({}, {})


def _list_page(values, errors, status=200):
    return render_template(
        "admin/agency_courses/list.html",
        courses=agency_courses.agency_courses(current_user.agency_id),
        values=values,
        errors=errors,
    ), status


@bp.post("/agency-courses")
@role_required(ADMIN)
def create_agency_course():
    try:
        course = agency_courses.create_course(current_user.agency_id, current_user, *NewAgencyCourseForm().checked())
    except InvalidInput as error:
        db.session.rollback()
        return _list_page(request.form, error.errors, 422)
    db.session.commit()
    flash("The course is created as a draft. Only admins of your agency can see it.", "success")
    return redirect(url_for("admin.edit_agency_course", course_id=course.id), code=303)


@bp.post("/agency-courses/upload")
@role_required(ADMIN)
def upload_agency_course():
    try:
        course = agency_courses.import_zip(current_user.agency_id, current_user, *CourseUploadForm().checked())
    except InvalidInput as error:
        db.session.rollback()
        return _list_page(request.form, error.errors, 422)
    db.session.commit()
    flash("The ZIP is uploaded as the course's draft. Check the messages, then publish.", "success")
    return redirect(url_for("admin.edit_agency_course", course_id=course.id), code=303)


def _own_course(course_id):
    course = agency_courses.agency_course(current_user.agency_id, course_id)
    if course is None:
        abort(404)
    return course


def _editor(course, files, errors=None, status=200, saved=True):
    problems = agency_courses.check(course, files)
    names = ordered_file_names(files)
    return render_template(
        "admin/agency_courses/edit.html",
        course=course,
        files=[(name, files[name], _preview(name, files[name], names)) for name in names],
        problems_by_file=_by_file(problems),
        problem_count=len(problems),
        errors=errors or {},
        saved=saved,
        file_field=FILE_FIELD,
    ), status


def _preview(name, text, names):
    """The preview of one file, with this agency's policy blocks in place, as its learners will see it."""
    html = preview_html(name, text, names)
    return fill_blocks(html, blocks_html(current_user.agency_id, blocks_in(html)))


def _by_file(problems):
    by_file = {}
    for problem in problems:
        by_file.setdefault(problem.file, []).append(problem)
    return by_file


def _submitted_files():
    files = {key[len(FILE_FIELD) :]: value for key, value in request.form.items() if key.startswith(FILE_FIELD)}
    files = {name: text for name, text in files.items() if text.strip()}  # an emptied lesson is removed
    new_name = request.form.get("new_file", "").strip()
    if new_name:
        files.setdefault(new_name, request.form.get("new_file_text", ""))
    return files


@bp.get("/agency-courses/<int:course_id>")
@role_required(ADMIN)
def edit_agency_course(course_id):
    course = _own_course(course_id)
    return _editor(course, agency_courses.draft_files(course))


@bp.post("/agency-courses/<int:course_id>")
@role_required(ADMIN)
def save_agency_course(course_id):
    course = _own_course(course_id)
    files = _submitted_files()
    if request.form.get("action") == "preview":
        return _editor(course, files, saved=False)
    try:
        agency_courses.save_draft(course, current_user, files)
    except InvalidInput as error:
        db.session.rollback()
        return _editor(course, {n: t for n, t in files.items() if ALLOWED_FILE.match(n)}, error.errors, 422, saved=False)
    db.session.commit()
    flash("The draft is saved.", "success")
    return redirect(url_for("admin.edit_agency_course", course_id=course.id), code=303)


@bp.post("/agency-courses/<int:course_id>/preview")
@role_required(ADMIN)
def preview_agency_course(course_id):
    """The live preview of one file (htmx), with the checker's messages for the whole draft."""
    course = _own_course(course_id)
    files = _submitted_files()
    name = request.form.get("preview_file", "")
    if name not in files:
        abort(400)
    names = ordered_file_names(files)
    problems = _by_file(agency_courses.check(course, files))
    index = names.index(name)
    return render_page(
        "admin/agency_courses/edit.html",
        ["file_feedback"],
        course=course,
        name=name,
        text=files[name],
        preview=_preview(name, files[name], names),
        problems=problems.get(name, []),
        index=index,
    )


@bp.post("/agency-courses/<int:course_id>/publish")
@role_required(ADMIN)
def publish_agency_course(course_id):
    course = _own_course(course_id)
    try:
        agency_courses.publish(course, current_user)
    except PublishRefused as refused:
        db.session.rollback()
        flash(f"Not published: the checker found {len(refused.problems)} problem(s). Fix them, save, and publish again.", "error")
        return _editor(course, agency_courses.draft_files(course), status=422)
    db.session.commit()
    flash("Published. Your agency's learners can take this version now.", "success")
    return redirect(url_for("admin.edit_agency_course", course_id=course.id), code=303)


@bp.post("/agency-courses/<int:course_id>/unpublish")
@role_required(ADMIN)
def unpublish_agency_course(course_id):
    course = _own_course(course_id)
    agency_courses.unpublish(course, current_user)
    db.session.commit()
    flash("The course is hidden from learners. Progress and certificates already earned are kept.", "success")
    return redirect(url_for("admin.edit_agency_course", course_id=course.id), code=303)


@bp.get("/agency-courses/<int:course_id>/versions")
@role_required(ADMIN)
def agency_course_versions(course_id):
    course = _own_course(course_id)
    versions = agency_courses.versions_of(course)
    by_hash = {version.content_hash: version for version in versions}
    older, newer = by_hash.get(request.args.get("from", "")), by_hash.get(request.args.get("to", ""))
    changes = agency_courses.diff(older, newer) if older and newer else None
    return render_template(
        "admin/agency_courses/versions.html",
        course=course,
        versions=versions,
        older=older,
        newer=newer,
        changes=changes,
    )


@bp.get("/agency-courses/<int:course_id>/export.zip")
@role_required(ADMIN)
def export_agency_course(course_id):
    course = _own_course(course_id)
    version = agency_courses.version_of(course, request.args.get("version") or course.draft_version)
    if version is None:
        abort(404)
    data = agency_courses.export_zip(course, version)
    return attachment(data, "application/zip", f"{course.slug}-{version.content_hash}.zip", "private, no-store")
