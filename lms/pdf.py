"""HTML to PDF with WeasyPrint, allowed to read only our own static files.

Templates refer to assets as `{{ PDF_STATIC }}fonts/…`; nothing from the network, no
`file:` paths from data, so a learner's text can never pull in anything else.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from lms.pdf_process import PDF_BASE_URL, PDF_STATIC


class StaticOnlyFetcher(URLFetcher):
    def __init__(self, static_dir: Path):
        super().__init__(allowed_protocols={"https", "data"})
        self.static_dir = static_dir.resolve()

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(PDF_STATIC):
            raise ValueError(f"PDFs may only use the site's own static files, not {url}")
        path = (self.static_dir / url[len(PDF_STATIC) :].split("?")[0]).resolve()
        if not path.is_relative_to(self.static_dir) or not path.is_file():
            raise ValueError(f"no such static file: {url}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})


def render_pdf(html: str, static_dir: Path) -> bytes:
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyFetcher(static_dir)).write_pdf()
