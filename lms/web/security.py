"""Response headers that keep pages from being framed, sniffed, fed foreign scripts or
kept in a cache."""

from flask import request
from flask_login import current_user

# No inline scripts or styles anywhere: htmx is told not to inject its indicator style
# (see the htmx-config meta tag in base.html) and not to evaluate strings.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


# What a logged-in person sees (training records, exports, certificates, a private draft
# echoed on a 422 page) must never be kept by a browser or a proxy. Only these may be
# cached: files that are the same for everyone, the agency's logo, and the agency's signed
# revocation list (public, the same for every reader, and it sets its own short lifetime).
CACHEABLE_ENDPOINTS = {"static", "learn.agency_logo", "public.status_list"}
NO_STORE = "private, no-store"


def init_app(app):
    @app.after_request
    def add_security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint not in CACHEABLE_ENDPOINTS and current_user.is_authenticated:
            response.headers["Cache-Control"] = NO_STORE
        return response
