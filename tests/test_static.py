"""Vendored files are exactly the pinned release."""

import hashlib
import re

from lms.config import PROJECT_ROOT

VENDOR = PROJECT_ROOT / "static" / "vendor"


def test_vendored_htmx_matches_its_recorded_checksum():
    table = (VENDOR / "README.md").read_text()
    name, version, checksum = re.search(r"`(htmx-([\d.]+)\.min\.js)`.*?`([0-9a-f]{64})`", table).groups()
    assert version.startswith("2.0.")
    assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == checksum
    assert f"vendor/{name}" in (PROJECT_ROOT / "templates" / "base.html").read_text()
