"""Public pages a credential points at: the issuing agency's profile (with its public
keys), its revocation status list, and a course's description. No account needed."""

import json

from flask import Blueprint, abort, current_app, make_response, render_template, request

from lms.domain.open_badges import STATUS_LIST_BITS, status_list_credential
from lms.domain.open_badges import issuer_profile as issuer_profile_document
from lms.extensions import db
from lms.models import Agency, utcnow
from lms.public_urls import public_url
from lms.services import certificates, signing
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
    keys = [key.public_jwk for key in signing.agency_keys(agency.id)]
    profile = issuer_profile_document(issuer_url=public_url("public.issuer_profile", agency_id=agency.id), name=agency.name,
                             homepage=public_url("verify.verify_form"), keys=keys)
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
    agency = _agency(agency_id)
    low = list_number * STATUS_LIST_BITS
    positions = [certificate_id - low for certificate_id in certificates.revoked_ids(agency.id, low, low + STATUS_LIST_BITS)]
    issuer_url = public_url("public.issuer_profile", agency_id=agency.id)
    list_url = public_url("public.status_list", agency_id=agency.id, list_number=list_number)
    credential = status_list_credential(list_url=list_url, issuer_url=issuer_url, issued=utcnow(), revoked_positions=positions)
    vault = current_app.extensions["vault"]
    key = signing.current_key(agency, vault)
    claims = {**credential, "iss": issuer_url, "jti": list_url, "nbf": int(utcnow().timestamp())}
    token = signing.sign_jwt(claims, key, vault, f"{issuer_url}#{key.kid}")
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
