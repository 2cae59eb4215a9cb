"""The lesson page, rendered once per content version and filled in for each learner.

Nearly all of a lesson page depends only on things that never change for a given key: the
course's content version, the lesson, which lessons the learner finished, whether they
wrote a reflection (and its "saved" label), and the code of the certificate they hold once
the course is complete (a certificate's card never changes; a revoked or replaced one has no
code here, so the page changes with the learner's completion). The learner's reflection
text and id, the agency's role card and its own text for the lesson's policy blocks (such
as its crisis steps) are markers filled in on every view (see lms.web.kept_pages). Pages
that show a form error are rendered the ordinary way.
"""

from __future__ import annotations

from datetime import datetime, timezone

from markupsafe import escape

from lms.domain.markdown import fill_blocks
from lms.web.filters import saved_label
from lms.web.htmx import render_page
from lms.web.kept_pages import mark, may_keep, render_kept
from lms.web.learn.certificate_card import card_by_code

TEMPLATE = "learn/lesson.html"
# URL converters want an int: this one appears in the page only where the reflection's id goes.
REFLECTION_ID_MARK = 9_007_199_254_740_881


def block_mark(name: str) -> str:
    """Where an agency block's text goes; block names are lowercase words joined by hyphens."""
    return mark(f"block-{name}")


class _Reflection:
    id = REFLECTION_ID_MARK
    text = mark("reflection")

    def __init__(self, updated_at: datetime):
        self.updated_at = updated_at


def render_lesson(blocks: list[str], context: dict):
    """The lesson page (or, for htmx, its blocks) for the current learner."""
    certificate_code = context["certificate_code"]
    if context["reflection_draft"] is not None or context["reflection_error"] is not None or not may_keep():
        return render_page(TEMPLATE, blocks, **context, card=card_by_code(certificate_code))
    course, lesson, progress, reflection = context["course"], context["lesson"], context["progress"], context["reflection"]
    label = saved_label(reflection.updated_at) if reflection else None
    key = (course.slug, course.version, lesson.id, progress.completed, progress.started, label, certificate_code)

    def kept_context():
        return {
            **context,
            "card": card_by_code(certificate_code),  # read only when the page is rendered, not on each view
            "role_card_html": mark("role_card") if lesson.has_role_card else "",
            "lesson_html": fill_blocks(lesson.html, {name: block_mark(name) for name in context["agency_blocks_html"]}),
            # "Saved just now." must stay true while the page is rendered; other labels are dates.
            "reflection": _Reflection(_label_moment(reflection.updated_at)) if reflection else None,
        }

    values = {
        "role_card": context["role_card_html"],
        "reflection": escape(reflection.text) if reflection else "",
        "reflection_id": str(reflection.id) if reflection else "",
        **{f"block-{name}": html for name, html in context["agency_blocks_html"].items()},
    }
    return render_kept(
        TEMPLATE, blocks, key, kept_context, values, lambda html: html.replace(str(REFLECTION_ID_MARK), mark("reflection_id"))
    )


def _label_moment(updated_at: datetime) -> datetime:
    return datetime.now(timezone.utc) if saved_label(updated_at) == "Saved just now." else updated_at
