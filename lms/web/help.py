"""The Help page, and the agency's support contact shown at the foot of every page."""

import re

from flask import Blueprint, has_request_context, render_template
from flask_login import current_user
from markupsafe import Markup

from lms.services import account_links
from lms.services.completion import EXPIRY_RENEWAL_DAYS

bp = Blueprint("help", __name__)


def tel_digits(phone: str) -> str:
    """A phone number as a tel: link wants it: digits and a leading plus."""
    return re.sub(r"[^\d+]", "", phone)


def support_contact_html(agency) -> Markup:
    """One line naming whom the agency's staff ask for help; empty until the agency sets a contact."""
    if agency is None or not (agency.support_email or agency.support_phone):
        return Markup("")
    ways = []
    if agency.support_email:
        ways.append(Markup('{0} <a href="mailto:{1}">{1}</a>').format("email" if ways else "Email", agency.support_email))
    if agency.support_phone:
        ways.append(
            Markup('{0} <a href="tel:{1}">{2}</a>').format(
                "call" if ways else "Call", tel_digits(agency.support_phone), agency.support_phone
            )
        )
    return Markup('<p class="support-contact">Questions about your training? {0}.</p>').format(Markup(" or ").join(ways))


def _signed_in_agency():
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return current_user.agency


@bp.get("/help")
def help_page():
    return render_template(
        "help/index.html",
        agency=_signed_in_agency(),
        invitation_days=account_links.INVITATION.valid_for.days,
        reset_words=account_links.PASSWORD_RESET.valid_for_words,
        renewal_days=EXPIRY_RENEWAL_DAYS,
    )


def init_app(app):
    app.add_template_filter(tel_digits)

    @app.context_processor
    def support_contact():
        # The lesson page passes its own value (a marker filled per view): a value given to a
        # template wins over this one.
        return {"support_contact_html": support_contact_html(_signed_in_agency())}
