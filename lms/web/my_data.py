"""A person's data, to take away: one ZIP for the learner themself, or made by an admin of
their agency when the person asks (audit-logged). Everyone else gets 404, supervisors too.
Streamed, so a person with many certificates never fills the worker's memory."""

from datetime import date

from flask import Blueprint, abort, current_app
from flask_login import current_user, login_required

from lms.domain.roles import ADMIN
from lms.extensions import db, limiter
from lms.services import data_export, people
from lms.web.certificates import render_certificate_pdf
from lms.web.downloads import pdf_rate_limit, pdf_user_key, streamed_zip

bp = Blueprint("data_rights", __name__, url_prefix="/people")


def _person_or_404(user_id):
    if user_id == current_user.id:
        return current_user
    if not current_user.has_role(ADMIN):
        abort(404)
    person = people.agency_person(current_user.agency_id, user_id)
    if person is None:
        abort(404)
    return person


@bp.post("/<int:user_id>/data.zip")
@login_required
@limiter.limit(pdf_rate_limit, key_func=pdf_user_key)
def download_person_data(user_id):
    person = _person_or_404(user_id)
    if person.id != current_user.id:
        data_export.record_admin_download(person, current_user)
    db.session.commit()  # the audit entry, before the download starts
    pieces = data_export.stream_archive(person.id, current_app.extensions["vault"], render_certificate_pdf)
    return streamed_zip(pieces, f"common-ground-data-{date.today().isoformat()}.zip")
