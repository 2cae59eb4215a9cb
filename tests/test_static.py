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


def test_static_urls_carry_a_content_hash_and_are_cached_for_a_year(client):
    page = client.get("/auth/login").get_data(as_text=True)
    match = re.search(r'href="(/static/css/site\.css\?v=([0-9a-f]{12}))"', page)
    assert match, "the stylesheet URL has no content hash"
    digest = hashlib.sha256((PROJECT_ROOT / "static" / "css" / "site.css").read_bytes()).hexdigest()[:12]
    assert match.group(2) == digest
    response = client.get(match.group(1))
    assert "max-age=31536000" in response.headers["Cache-Control"]
    response.close()
