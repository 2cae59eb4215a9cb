"""PDFs are rendered in a child of a fork server, so one that runs too long is killed,
not the web worker. The web process itself never loads WeasyPrint (it takes seconds to
import); the fork server does, once (lms.pdf_warmup), and every child starts with it loaded.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

# A base address that never resolves: every relative URL in a PDF template lands here.
PDF_BASE_URL = "https://pdf.common-ground.invalid/"
PDF_STATIC = PDF_BASE_URL + "static/"


class PdfTooSlow(RuntimeError):
    """The render passed its time limit and was stopped."""


# The fork server has WeasyPrint loaded and warmed up already: a child starts in milliseconds.
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
    from lms.pdf import render_pdf  # loaded in the fork server already

    try:
        sender.send((True, render_pdf(html, Path(static_dir))))
    except Exception as error:  # sent back and raised in the web worker
        sender.send((False, f"{type(error).__name__}: {error}"))
    finally:
        sender.close()
