"""Error pages in the site's layout."""

from flask import make_response, render_template
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from lms.extensions import db, login_manager
from lms.pdf_process import PdfTooSlow
from lms.web.htmx import is_htmx

MESSAGES = {
    400: ("The request could not be understood", "Something in what was sent was not right. Go back and try again."),
    403: (
        "You do not have access to this page",
        "Your account does not include this page. If you think it should, ask your administrator.",
    ),
    404: ("Page not found", "We could not find that page. It may have moved, or the address may be mistyped."),
    405: ("That action is not allowed here", "Go back and use the buttons on the page."),
    413: ("That file is too big", "Files you upload here must be smaller than 4 MB. Nothing was saved."),
    429: ("Too many tries", "You have tried this too many times in a short time. Please wait a minute, then try again."),
    500: (
        "Something went wrong on our side",
        "Nothing you did caused this. Please try again in a minute. If it keeps happening, tell your administrator.",
    ),
    503: ("That took too long", "The site is busy and could not finish this in time. Nothing was lost. Please try again in a few minutes."),
}


def render_error(status: int, detail: str | None = None):
    title, message = MESSAGES[status]
    return render_template("errors/error.html", status=status, title=title, message=detail or message), status


def init_app(app):
    for status in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(status, lambda error, status=status: render_error(status))

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        if is_htmx() and not current_user.is_authenticated:
            # The session ended under an open page (the token went with it): log in again,
            # as the same click would when it reads a page.
            return login_manager.unauthorized()
        return render_error(
            400, "This form had expired or did not come from this site, so nothing was saved. Reload the page and try again."
        )

    @app.errorhandler(PdfTooSlow)
    def pdf_too_slow(error):
        db.session.rollback()
        response = make_response(
            *render_error(
                503,
                "Making this PDF took too long, so we stopped. Nothing was lost. Please try again in a few minutes; "
                "if it keeps happening, download the text version instead, or tell your administrator.",
            )
        )
        response.headers["Retry-After"] = "120"
        return response

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()  # nothing half-written survives a failed request
        return render_error(500)
