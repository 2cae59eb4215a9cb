"""HTML to PDF with WeasyPrint, allowed to read only our own static files.

Templates refer to assets as `{{ PDF_STATIC }}fonts/…`; nothing from the network, no
`file:` paths from data, so a learner's text can never pull in anything else.
"""

from __future__ import annotations

import multiprocessing
import mimetypes
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# A base address that never resolves: every relative URL in a PDF template lands here.
PDF_BASE_URL = "https://pdf.common-ground.invalid/"
PDF_STATIC = PDF_BASE_URL + "static/"


class StaticOnlyFetcher(URLFetcher):
    def __init__(self, static_dir: Path):
        super().__init__(allowed_protocols={"https", "data"})
        self.static_dir = static_dir.resolve()

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(PDF_STATIC):
            raise ValueError(f"PDFs may only use the site's own static files, not {url}")
        path = (self.static_dir / url[len(PDF_STATIC):].split("?")[0]).resolve()
        if not path.is_relative_to(self.static_dir) or not path.is_file():
            raise ValueError(f"no such static file: {url}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})


def render_pdf(html: str, static_dir: Path) -> bytes:
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyFetcher(static_dir)).write_pdf()


class PdfTooSlow(RuntimeError):
    """The render passed its time limit and was stopped."""


# Renders run in a child of a fork server that has WeasyPrint loaded and warmed up
# already (lms.pdf_warmup): a child starts in milliseconds, and one that runs too long is
# killed, not the web worker.
_FORK_SERVER = multiprocessing.get_context("forkserver")
_FORK_SERVER.set_forkserver_preload(["lms.pdf_warmup"])


def start_renderer() -> None:
    """Start the fork server now (it loads WeasyPrint), so the first PDF does not wait for it."""
    from multiprocessing import forkserver

    forkserver.ensure_running()


def render_pdf_within(html: str, static_dir: Path, seconds: float) -> bytes:
    """render_pdf in a separate process, stopped after `seconds` (PdfTooSlow)."""
    receiver, sender = _FORK_SERVER.Pipe(duplex=False)
    child = _FORK_SERVER.Process(target=_render_into, args=(html, str(static_dir), sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise PdfTooSlow(f"the PDF was not ready after {seconds:g} seconds")
        succeeded, result = receiver.recv()
    except EOFError as error:  # the child died without an answer
        raise RuntimeError("the PDF renderer stopped unexpectedly") from error
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if not succeeded:
        raise RuntimeError(f"the PDF could not be rendered: {result}")
    return result


def _render_into(html: str, static_dir: str, sender) -> None:
    try:
        sender.send((True, render_pdf(html, Path(static_dir))))
    except Exception as error:  # sent back and raised in the web worker
        sender.send((False, f"{type(error).__name__}: {error}"))
    finally:
        sender.close()
