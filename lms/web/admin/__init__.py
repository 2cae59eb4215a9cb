"""Agency administration: one module per page group, all on the admin blueprint."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from lms.web.admin import agency_blocks, agency_courses, assignments, audit, learning_paths, lrs, people, views  # noqa: E402,F401  (routes)
