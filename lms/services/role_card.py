"""The agency's "what our peer specialists do / don't do" card, shown where lessons ask for it."""

from functools import lru_cache
from pathlib import Path

from lms.domain.markdown import render
from lms.models import Agency

DEFAULT_ROLE_CARD_PATH = Path(__file__).resolve().parent.parent / "default_role_card.md"


def role_card_html(agency: Agency, default_html: str) -> str:
    """The agency's own card (sanitized Markdown), or the default one."""
    return rendered_card(agency.role_card_markdown) if agency.role_card_markdown else default_html


@lru_cache(maxsize=256)
def rendered_card(markdown_text: str) -> str:
    """Rendering and sanitizing a card costs about a millisecond; the result depends only on
    its text, so it is kept by text (an edited card is a new key, never a stale one)."""
    return render(markdown_text).html
