"""Files the site hands to people: PDFs rendered from templates, and attachments.

Every PDF is rendered in a separate process with a time limit (PDF_TIME_LIMIT_SECONDS):
a render that runs too long is stopped and the person gets a page saying so, while the
web worker goes on serving everyone else.
"""

from collections.abc import Iterator
from pathlib import Path

from flask import Response, current_app, make_response, render_template, stream_with_context
from flask_limiter.util import get_remote_address
from flask_login import current_user

from lms.extensions import db
from lms.pdf_process import PDF_STATIC, render_pdf_within
from lms.services import pdf_cache


def pdf_from_template(template: str, **context) -> bytes:
    """Render a print template to PDF; it reaches the site's static files as {{ static }}."""
    return _render(render_template(template, static=PDF_STATIC, **context))


def _render(html: str) -> bytes:
    return render_pdf_within(html, Path(current_app.static_folder), current_app.config["PDF_TIME_LIMIT_SECONDS"])


def private_pdf_from_template(kind: str, template: str, **context) -> bytes:
    """A PDF of the current user's private writing, rendered again only when what it prints changed."""
    html = render_template(template, static=PDF_STATIC, **context)
    vault = current_app.extensions["vault"]
    printed = pdf_cache.fingerprint(current_app.config["SECRET_KEY"], html)
    pdf = pdf_cache.cached(vault, current_user.id, kind, printed)
    if pdf is None:
        pdf = _render(html)
        pdf_cache.keep(vault, current_user.id, kind, printed, pdf)
    return pdf


def pdf_user_key() -> str:
    """PDF downloads are limited per person (per address before logging in)."""
    return f"pdf-user:{current_user.id}" if current_user.is_authenticated else f"pdf-address:{get_remote_address()}"


def pdf_rate_limit() -> str:
    return current_app.config["PDF_RATE_LIMIT"]


def attachment(body: bytes, mimetype: str, name: str, cache_control: str):
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = cache_control
    return response


def streamed_zip(pieces: Iterator[bytes], file_name: str) -> Response:
    """A ZIP sent as it is made. The request commits before each piece goes out, so a
    download cut off half-way keeps the PDFs rendered (and cached) so far."""
    response = Response(stream_with_context(_committed_as_sent(pieces)), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _committed_as_sent(pieces: Iterator[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        db.session.commit()
        yield piece
