"""The agency's "what our peer specialists do / don't do" card, shown where lessons ask for it."""

from pathlib import Path

from lms.domain.markdown import render
from lms.models import Agency

DEFAULT_ROLE_CARD_PATH = Path(__file__).resolve().parent.parent / "default_role_card.md"


def role_card_html(agency: Agency, default_html: str) -> str:
    """The agency's own card (sanitized Markdown), or the default one."""
    return render(agency.role_card_markdown).html if agency.role_card_markdown else default_html
