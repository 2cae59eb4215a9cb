"""Agency administration: adding and updating many people at once from a CSV file."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from lms.domain.roles import ADMIN
from lms.domain.user_import import COLUMNS, MAX_FILE_BYTES, MAX_ROWS, FileProblem, role_list
from lms.domain.wording import counted
from lms.extensions import db
from lms.services import user_import
from lms.services.invalid_input import InvalidInput
from lms.web.access import role_required
from lms.web.admin import bp
from lms.web.admin.forms import ImportConfirmForm, ImportUploadForm
from lms.web.admin.people import invite


def _render_upload(problem=None, status=200):
    return render_template(
        "admin/import.html", problem=problem, columns=COLUMNS, max_rows=MAX_ROWS, max_mb=MAX_FILE_BYTES // 1_000_000
    ), status


def _render_preview(preview, notice=None, status=200):
    return render_template("admin/import_preview.html", preview=preview, plan=preview.plan, notice=notice, role_list=role_list), status


@bp.get("/people/import")
@role_required(ADMIN)
def import_form():
    return _render_upload()


@bp.post("/people/import")
@role_required(ADMIN)
def preview_import():
    try:
        upload = ImportUploadForm().checked()
    except InvalidInput as error:
        return _render_upload(error.errors["file"], 422)
    try:
        preview = user_import.preview_upload(current_user.agency, current_user, upload)
    except FileProblem as problem:
        return _render_upload(str(problem), 413 if len(upload.data) > MAX_FILE_BYTES else 422)
    return _render_preview(preview)


@bp.post("/people/import/confirm")
@role_required(ADMIN)
def confirm_import():
    try:
        result = user_import.import_previewed(current_user.agency, current_user, ImportConfirmForm().checked())
    except FileProblem as problem:
        return _render_upload(str(problem), 400)
    except user_import.ImportRefused as refused:
        return _render_preview(refused.preview, refused.message, 409)
    invited = invite(result.created)
    db.session.commit()
    skipped = (
        f" {counted(result.skipped, 'line')} with errors {'was' if result.skipped == 1 else 'were'} skipped." if result.skipped else ""
    )
    on_their_way = f" Invitations to {counted(invited, 'new person', 'new people')} are on their way." if invited else ""
    flash(f"Import done: {len(result.created)} added, {len(result.updated)} updated.{skipped}{on_their_way}", "success")
    return redirect(url_for("admin.people_list"), code=303)
