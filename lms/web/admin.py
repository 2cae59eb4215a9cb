"""Agency administration: course file health, evaluation results."""

from flask import Blueprint, abort, render_template
from flask_login import current_user

from lms.domain.evaluation import MIN_RESPONSES_TO_SHOW
from lms.domain.roles import ADMIN
from lms.services.evaluations import response_counts, summary_for
from lms.web.access import catalog, role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/courses")
@role_required(ADMIN)
def course_health():
    return render_template("admin/courses.html", catalog=catalog())


@bp.get("/evaluations")
@role_required(ADMIN)
def evaluations():
    return render_template(
        "admin/evaluations.html",
        courses=list(catalog()),
        counts=response_counts(current_user.agency_id),
        minimum=MIN_RESPONSES_TO_SHOW,
    )


@bp.get("/evaluations/<slug>")
@role_required(ADMIN)
def evaluation_summary(slug):
    course = catalog().get(slug)
    if course is None:
        abort(404)
    responses, summary = summary_for(current_user.agency_id, course)
    return render_template(
        "admin/evaluation_summary.html", course=course, responses=responses, summary=summary, minimum=MIN_RESPONSES_TO_SHOW
    )
