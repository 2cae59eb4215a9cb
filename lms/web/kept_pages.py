"""Pages rendered once per key and filled in for each person.

Most of a logged-in page depends only on things a key can hold: the content versions of
the courses it shows, the facts read for it, which menu items the person's roles show, the
site's URL prefix. Such a page is rendered once per key with markers where the per-person
values go (name, CSRF token, the agency's name and support contact, and whatever the page
adds); every view then only joins the kept pieces with those values, escaped as the template would escape
them. A key is made of immutable inputs, so nothing old is ever served and several servers
need no coordination. Pages that show a flash message, and servers that reload templates,
render the ordinary way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from threading import Lock

from flask import current_app, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from lms.web.help import support_contact_html
from lms.web.htmx import render_page, varies_with_htmx, wants_fragment

MENU_ROLES = ("supervisor", "admin")  # base.html shows menu items for these roles
MAX_PAGES = 1024  # per process; a page is about 15 KB, so at most about 15 MB
MARKER = re.compile("\ue000([\\w-]+)\ue001")


def mark(name: str) -> str:
    return f"\ue000{name}\ue001"


class _Agency:
    """The header shows the agency's name (filled in per view) and whether it has a logo."""

    name = mark("agency_name")

    def __init__(self, has_logo: bool):
        self.logo_mimetype = "image" if has_logo else None


class _Person:
    """Stands in for current_user while a kept page is rendered: only what the key holds."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    name = mark("name")

    def __init__(self, menu_roles: frozenset[str], header: tuple[bool, bool]):
        self._menu_roles = menu_roles
        has_agency, has_logo = header
        self.agency = _Agency(has_logo) if has_agency else None

    def has_role(self, role: str) -> bool:
        return role in self._menu_roles


class RenderedPages:
    """Kept pages, by key. Bounded: when full, the oldest entry goes."""

    def __init__(self, limit: int = MAX_PAGES):
        self.limit = limit
        self._pages: dict[tuple, tuple[str, ...]] = {}
        self._lock = Lock()

    def get(self, key):
        return self._pages.get(key)

    def put(self, key, pieces) -> None:
        with self._lock:
            while len(self._pages) >= self.limit:
                self._pages.pop(next(iter(self._pages)))
            self._pages[key] = pieces

    def __len__(self):
        return len(self._pages)


def init_app(app) -> None:
    app.extensions["rendered_pages"] = RenderedPages()


def may_keep() -> bool:
    return "_flashes" not in session and not current_app.jinja_env.auto_reload  # templates may change under a server


def render_kept(
    template: str,
    blocks: list[str],
    key: tuple,
    context: Callable[[], dict],
    values: dict[str, str],
    finish: Callable[[str], str] | None = None,
):
    """The page (or, for htmx, its blocks) for the current person.

    key: everything the page shows apart from the person's name, the agency's name and
    header, the menu and the CSRF token. context(): the template's context with markers
    for the page's own per-person values, called only when the page is not kept yet;
    values: those markers' HTML for this view. finish: a last change to the rendered page
    (to put markers where the template needs other values)."""
    fragment = wants_fragment()
    menu_roles = frozenset(role for role in MENU_ROLES if current_user.has_role(role))
    agency = current_user.agency
    header = (agency is not None, bool(agency and agency.logo_mimetype))
    full_key = (template, request.script_root, request.endpoint, fragment, tuple(blocks) if fragment else (), menu_roles, header, key)
    pages = current_app.extensions["rendered_pages"]
    pieces = pages.get(full_key)
    if pieces is None:
        kept_context = {
            **context(),
            "current_user": _Person(menu_roles, header),
            "csrf_token": lambda: mark("csrf"),
            "support_contact_html": Markup(mark("support_contact")),  # noqa: S704  (a fixed marker)
        }
        html = render_page(template, blocks, **kept_context).get_data(as_text=True)
        pieces = tuple(MARKER.split(finish(html) if finish else html))
        pages.put(full_key, pieces)
    values = {
        "csrf": generate_csrf(),
        "name": escape(current_user.name),
        "agency_name": escape(agency.name) if agency else "",
        "support_contact": support_contact_html(agency),  # the footer's line, per agency
        **values,
    }
    response = make_response("".join(values[piece] if n % 2 else piece for n, piece in enumerate(pieces)))
    varies_with_htmx(response)
    return response
