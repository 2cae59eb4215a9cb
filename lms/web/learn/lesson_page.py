"""The lesson page, rendered once per content version and filled in for each learner.

Nearly all of a lesson page depends only on things that never change for a given key: the
course's content version, the lesson, which menu items the learner's roles show, which
lessons they finished, whether they wrote a reflection (and its "saved" label), and the
site's URL prefix. That page is rendered once per key with markers where the per-learner
values go (name, CSRF token, reflection text and id, the agency's role card and its own
text for the lesson's policy blocks, such as its crisis steps); every view
then only joins the kept pieces with those values, escaped as the template would escape
them. A course update is a new version, so a new key: nothing old is ever served, and
several servers need no coordination. Pages that show a flash message or a form error are
rendered the ordinary way.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from threading import Lock

from flask import current_app, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from lms.domain.markdown import fill_blocks
from lms.web.filters import saved_label
from lms.web.help import support_contact_html
from lms.web.htmx import render_page, varies_with_htmx, wants_fragment

TEMPLATE = "learn/lesson.html"
MENU_ROLES = ("supervisor", "admin")  # base.html shows menu items for these roles
MAX_PAGES = 1024  # per process; a page is about 15 KB, so at most about 15 MB
MARKER = re.compile("\ue000([\\w-]+)\ue001")
# URL converters want an int: this one appears in the page only where the reflection's id goes.
REFLECTION_ID_MARK = 9_007_199_254_740_881


def mark(name: str) -> str:
    return f"\ue000{name}\ue001"


def block_mark(name: str) -> str:
    """Where an agency block's text goes; block names are lowercase words joined by hyphens."""
    return mark(f"block-{name}")


class _Agency:
    """The header shows the agency's name (filled in per view) and whether it has a logo."""

    name = mark("agency_name")

    def __init__(self, has_logo: bool):
        self.logo_mimetype = "image" if has_logo else None


class _Learner:
    """Stands in for current_user while the kept page is rendered: only what the key holds."""

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


class _Reflection:
    id = REFLECTION_ID_MARK
    text = mark("reflection")

    def __init__(self, updated_at: datetime):
        self.updated_at = updated_at


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


def render_lesson(blocks: list[str], context: dict):
    """The lesson page (or, for htmx, its blocks) for the current learner."""
    if (
        context["reflection_draft"] is not None
        or context["reflection_error"] is not None
        or "_flashes" in session
        or current_app.jinja_env.auto_reload  # templates may change under a running server
    ):
        return render_page(TEMPLATE, blocks, **context)
    fragment = wants_fragment()
    course, lesson, progress, reflection = context["course"], context["lesson"], context["progress"], context["reflection"]
    label = saved_label(reflection.updated_at) if reflection else None
    menu_roles = frozenset(role for role in MENU_ROLES if current_user.has_role(role))
    agency = current_user.agency
    header = (agency is not None, bool(agency and agency.logo_mimetype))
    key = (
        request.script_root, request.endpoint, fragment, tuple(blocks) if fragment else (), course.slug, course.version, lesson.id,
        menu_roles, header, progress.completed, progress.started, label,
    )
    pages = current_app.extensions["rendered_pages"]
    pieces = pages.get(key)
    if pieces is None:
        pieces = _render_kept(blocks, context, menu_roles, header, reflection)
        pages.put(key, pieces)
    values = {
        "csrf": generate_csrf(),
        "name": escape(current_user.name),
        "agency_name": escape(agency.name) if agency else "",
        "support_contact": support_contact_html(agency),
        "role_card": context["role_card_html"],
        "reflection": escape(reflection.text) if reflection else "",
        "reflection_id": str(reflection.id) if reflection else "",
        **{f"block-{name}": html for name, html in context["agency_blocks_html"].items()},
    }
    response = make_response("".join(values[piece] if n % 2 else piece for n, piece in enumerate(pieces)))
    varies_with_htmx(response)
    return response


def _render_kept(blocks, context, menu_roles, header, reflection) -> tuple[str, ...]:
    """Render the page with markers for the per-learner values; split it at the markers."""
    kept_context = {
        **context,
        "current_user": _Learner(menu_roles, header),
        "csrf_token": lambda: mark("csrf"),
        "support_contact_html": Markup(mark("support_contact")),  # noqa: S704  (a fixed marker; the footer line per agency goes in after)
        "role_card_html": mark("role_card") if context["lesson"].has_role_card else "",
        "lesson_html": fill_blocks(context["lesson"].html, {name: block_mark(name) for name in context["agency_blocks_html"]}),
        # "Saved just now." must stay true while the page is rendered; other labels are dates.
        "reflection": _Reflection(_label_moment(reflection.updated_at)) if reflection else None,
    }
    html = render_page(TEMPLATE, blocks, **kept_context).get_data(as_text=True)
    html = html.replace(str(REFLECTION_ID_MARK), mark("reflection_id"))
    return tuple(MARKER.split(html))


def _label_moment(updated_at: datetime) -> datetime:
    return datetime.now(timezone.utc) if saved_label(updated_at) == "Saved just now." else updated_at
