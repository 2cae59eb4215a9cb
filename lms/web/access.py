"""Who may see what: decorators shared by the blueprints."""

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app
from flask_login import current_user, login_required

from lms.domain.courses import Catalog
from lms.services.agency_catalog import catalog_for


def role_required(*roles):
    """Logged-in users holding any of the roles; anyone else gets 403 (anonymous: log in)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.roles & set(roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def catalog() -> Catalog:
    """The courses the current user's agency offers: the shared ones and its own published ones."""
    if current_user.is_authenticated:
        return catalog_for(current_user.agency_id)
    return current_app.extensions["catalog"]


def safe_next(target: str | None, default: str) -> str:
    """Follow a ?next= or form 'next' only when it stays on this site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return default
