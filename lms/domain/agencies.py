"""Agency names and slugs: what makes two agencies the same, and how the CLI names one."""

import re
import unicodedata

MAX_SLUG = 60


def name_key(name: str) -> str:
    """Two names with the same key are the same agency's: case and spacing do not count."""
    return " ".join((name or "").split()).casefold()


def slugify(name: str) -> str:
    """Lower-case ASCII letters, digits and dashes: "Riverside Services, Inc." -> "riverside-services-inc"."""
    ascii_name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:MAX_SLUG].strip("-")
    return slug or "agency"


def is_slug(text: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", text or "")) and len(text) <= MAX_SLUG
