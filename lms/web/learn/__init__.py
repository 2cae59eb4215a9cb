"""The learner's area: courses, lessons, knowledge checks, private writing, evaluations."""

from flask import Blueprint

bp = Blueprint("learn", __name__, url_prefix="/learn")

from lms.web.learn import checks, courses, evaluations, mail_settings, private  # noqa: E402,F401  (routes)

index = courses.index
