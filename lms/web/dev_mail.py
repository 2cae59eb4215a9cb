"""Development only: read the mail the site would send, at /dev/mail, so invitations and
password resets can be tried on a laptop with no mail server.

The pages exist only when ENVIRONMENT is "development" and the request comes from this
computer; anywhere else (production, tests, another machine) they answer 404. They show
what waits in the outbox (lms.services.outbox); nothing here sends or changes mail.
"""

import ipaddress

from flask import Blueprint, abort, current_app, make_response, render_template, request

from lms.extensions import db
from lms.models import OutgoingMail
from lms.services import outbox

bp = Blueprint("dev", __name__, url_prefix="/dev")

# A mail's own HTML, with its inline styles, and nothing that runs or loads from elsewhere.
MAIL_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def _from_this_computer() -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.before_request
def development_only():
    if current_app.config["ENVIRONMENT"] != "development" or not _from_this_computer():
        abort(404)


@bp.get("/mail")
def mail_list():
    return render_template("dev/mail_list.html", mails=outbox.recent_mail())


@bp.get("/mail/<int:mail_id>")
def show_mail(mail_id):
    row = db.get_or_404(OutgoingMail, mail_id)
    return render_template("dev/mail.html", mail=row, message=outbox.readable(row))


@bp.get("/mail/<int:mail_id>/html")
def mail_html(mail_id):
    message = outbox.readable(db.get_or_404(OutgoingMail, mail_id))
    if message is None:
        abort(404)
    response = make_response(message.html)
    response.headers["Content-Security-Policy"] = MAIL_HTML_POLICY
    return response
