"""Sending xAPI statements to a Learning Record Store's Statement Resource over HTTP(S).

Every request carries X-Experience-API-Version and HTTP Basic credentials (the agency's key
and secret). Statements keep the UUIDs they were made with, so sending one again is
harmless: the LRS already holds it and keeps one copy.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from lms.domain.xapi import XAPI_VERSION

TIMEOUT_SECONDS = 20.0
REFUSED_STATEMENTS = {400, 409, 413, 422}

logger = logging.getLogger(__name__)


class LrsUnreachable(OSError):
    """The LRS could not be reached, or cannot take statements now: a server error, a wrong
    key or secret, too many requests. Every statement waits for the next try."""


class LrsRefused(Exception):
    """The LRS refused the statements themselves (400, 409, 413, 422): the batch holds one it will not take."""

    def __init__(self, status: int, detail: str):
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status


@dataclass(frozen=True)
class LrsSettings:
    endpoint: str  # the xAPI base URL; statements go to <endpoint>/statements
    key: str
    secret: str

    @property
    def statements_url(self) -> str:
        return self.endpoint.rstrip("/") + "/statements"


def send_statements(settings: LrsSettings, statements: list[dict], timeout: float = TIMEOUT_SECONDS) -> None:
    """POST statements in one request. Raises LrsRefused or LrsUnreachable."""
    credentials = base64.b64encode(f"{settings.key}:{settings.secret}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310  (an https address, or http where the site allows it: checked when saved)
        settings.statements_url,
        data=json.dumps(statements).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
            "Authorization": f"Basic {credentials}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  (as above)
            response.read()
    except urllib.error.HTTPError as error:
        # Only the status is kept (and shown to the agency's admins), never the body: the
        # address is the admin's choice, and what answers there is not theirs to read.
        logger.warning("LRS %s answered %s: %s", settings.statements_url, error.code, error.read(500).decode("utf-8", "replace"))
        if error.code in REFUSED_STATEMENTS:
            raise LrsRefused(error.code, error.reason) from error
        raise LrsUnreachable(f"HTTP {error.code} {error.reason}") from error
    except (urllib.error.URLError, OSError) as error:
        raise LrsUnreachable(str(getattr(error, "reason", error))) from error
