"""Admins: the agency's own text for the blocks lessons show (crisis steps, reporting policy, on-call)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.domain.markdown import AGENCY_BLOCKS, render
from lms.domain.roles import ADMIN
from lms.extensions import db
from lms.services import agency_blocks
from lms.services.invalid_input import InvalidInput
from lms.web.access import catalog, role_required
from lms.web.admin import bp
from lms.web.admin.forms import AgencyBlockForm
from lms.web.htmx import render_page


@bp.get("/blocks")
@role_required(ADMIN)
def agency_block_list():
    return render_template(
        "admin/agency_blocks/list.html",
        blocks=AGENCY_BLOCKS,
        texts=agency_blocks.texts_of(current_user.agency_id),
        unfilled=agency_blocks.unfilled_in_use(current_user.agency_id, catalog()),
    )


def _block_name(name):
    if name not in AGENCY_BLOCKS:
        abort(404)
    return name


def _block_page(name, text, errors=None, status=200, saved=True):
    return render_page(
        "admin/agency_blocks/edit.html",
        ["block_preview"],
        name=name,
        label=AGENCY_BLOCKS[name],
        text=text,
        errors=errors or {},
        saved=saved,
        preview=render(text).html if text.strip() else agency_blocks.default_html(name),
    ), status


@bp.get("/blocks/<name>")
@role_required(ADMIN)
def edit_agency_block(name):
    name = _block_name(name)
    return _block_page(name, agency_blocks.texts_of(current_user.agency_id).get(name, ""))


@bp.post("/blocks/<name>")
@role_required(ADMIN)
def save_agency_block(name):
    name = _block_name(name)
    form = AgencyBlockForm()
    text = request.form.get("text", "")
    if form.action.data == "preview":
        return _block_page(name, text, saved=False)
    try:
        agency_blocks.save_block(current_user.agency_id, current_user, name, form.checked())
    except InvalidInput as error:
        db.session.rollback()
        return _block_page(name, text, error.errors, 422, saved=False)
    db.session.commit()
    flash(f"Saved. Lessons that show your {AGENCY_BLOCKS[name].lower()} use it now.", "success")
    return redirect(url_for("admin.agency_block_list"), code=303)
