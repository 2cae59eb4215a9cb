"""Agency administration. For now: the health of the course files."""

from flask import Blueprint, render_template

from lms.domain.roles import ADMIN
from lms.web.access import catalog, role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/courses")
@role_required(ADMIN)
def course_health():
    return render_template("admin/courses.html", catalog=catalog())
