"""Imported once, in the PDF fork server only: renders a small page with the print style
sheet, so WeasyPrint's fonts and caches are loaded before any render is forked from it."""

from lms.config import PROJECT_ROOT
from lms.pdf import PDF_STATIC, render_pdf

render_pdf(
    f'<link rel="stylesheet" href="{PDF_STATIC}print/print.css"><h1>Common Ground</h1><p>Ready.</p>',
    PROJECT_ROOT / "static",
)
