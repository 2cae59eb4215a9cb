"""Files the site hands to people: PDFs rendered from templates, and attachments."""

from pathlib import Path

from flask import current_app, make_response, render_template


def pdf_from_template(template: str, **context) -> bytes:
    """Render a print template to PDF; it reaches the site's static files as {{ static }}."""
    # WeasyPrint takes seconds to import: load it with the first PDF, not when the site starts.
    from lms.pdf import PDF_STATIC, render_pdf

    html = render_template(template, static=PDF_STATIC, **context)
    return render_pdf(html, Path(current_app.static_folder))


def attachment(body: bytes, mimetype: str, name: str, cache_control: str):
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = cache_control
    return response
