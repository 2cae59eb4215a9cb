"""Static files are cached for a year; their URLs carry a content hash, so a change is
fetched at once (…/site.css?v=3f9a…)."""

import hashlib
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

ONE_YEAR = timedelta(days=365)


def init_app(app):
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = ONE_YEAR  # Flask sets None by default: assign, don't setdefault
    static_dir = Path(app.static_folder)

    @lru_cache(maxsize=256)
    def content_hash(filename: str) -> str | None:
        path = (static_dir / filename).resolve()
        if not path.is_relative_to(static_dir.resolve()) or not path.is_file():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]

    @app.url_defaults
    def add_content_hash(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = content_hash(values["filename"])
            if digest:
                values["v"] = digest
