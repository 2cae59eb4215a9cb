"""Absolute URLs for whatever leaves the site: certificates, QR codes, credentials, emails.

Every such URL is built here, from the URL map, so none can point at a route that does not
exist. With PUBLIC_BASE_URL set they start with it, never with the Host a request claimed.
Without it (on a laptop) they use the request's own host, or the address `make run`
serves when there is no request (a CLI command); production must set it.
"""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


class PublicBaseUrlMissing(RuntimeError):
    pass


def public_url(endpoint: str, **values) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        if current_app.config["ENVIRONMENT"] == "production":
            raise PublicBaseUrlMissing("PUBLIC_BASE_URL must be set in production: certificates and emails link to it")
        if has_request_context():
            return url_for(endpoint, _external=True, **values)
        base = DEVELOPMENT_BASE_URL
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)
