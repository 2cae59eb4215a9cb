"""Agency administration: one module per page group, all on the admin blueprint."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from lms.web.admin import (  # noqa: E402,F401  (routes)
    agency_blocks,
    agency_courses,
    assignments,
    audit,
    certificates,
    data_rights,
    invitations,
    learning_paths,
    lrs,
    people,
    people_import,
    reports,
    settings,
    teams,
)
