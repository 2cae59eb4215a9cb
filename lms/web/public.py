"""Public pages a credential points at: the issuing agency's profile (with its public
keys), its revocation status list, and what a certificate was earned for (a shared course,
one of the agency's published courses, or an in-person training). No account needed."""

import json

from flask import Blueprint, abort, current_app, make_response, render_template, request

from lms.extensions import db
from lms.models import Agency
from lms.services import open_badges, renewal
from lms.services.agency_catalog import catalog_for
from lms.web.access import catalog

bp = Blueprint("public", __name__)

JSON_TYPES = ("application/ld+json", "application/json")


def _agency(agency_id: int) -> Agency:
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        abort(404)
    return agency


def _wants_json() -> bool:
    """A browser asks for HTML by name; a verifier asks for JSON, or for anything (*/*)."""
    best = request.accept_mimetypes.best_match([*JSON_TYPES, "text/html"])
    return best != "text/html"


@bp.get("/agencies/<int:agency_id>")
def issuer_profile(agency_id):
    agency = _agency(agency_id)
    profile = open_badges.profile_of(agency)
    if _wants_json():
        response = make_response(json.dumps(profile, indent=2, ensure_ascii=False))
        response.mimetype = "application/ld+json" if request.accept_mimetypes.best == "application/ld+json" else "application/json"
    else:
        response = make_response(render_template("public/issuer.html", agency=agency, profile=profile))
    response.vary.add("Accept")
    return response


@bp.get("/agencies/<int:agency_id>/status/<int:list_number>")
def status_list(agency_id, list_number):
    """The agency's revocation list (W3C Bitstring Status List), signed as a VC-JWT."""
    token = open_badges.signed_status_list(_agency(agency_id), list_number, current_app.extensions["vault"])
    db.session.commit()  # the agency's first signing key, when it had none
    response = make_response(token)
    response.mimetype = "application/vc+jwt"
    response.headers["Cache-Control"] = "public, max-age=300"  # a revocation shows within five minutes
    return response


@bp.get("/courses/<slug>")
def course_description(slug):
    course = catalog().get(slug)
    if course is None:
        abort(404)
    return render_template("public/course.html", course=course)


@bp.get("/agencies/<int:agency_id>/courses/<slug>")
def achievement(agency_id, slug):
    """What the agency's certificate for `slug` was earned for: its course or its in-person training."""
    agency = _agency(agency_id)
    training = renewal.training_named(agency.id, slug)
    if training is not None:
        return render_template("public/training.html", agency=agency, training=training)
    course = catalog_for(agency.id).get(slug)
    if course is None:
        abort(404)
    return render_template("public/course.html", course=course)
