"""An agency's own text for the named blocks in lessons: its crisis steps, reporting rules, on-call.

Shared lessons say what is true everywhere; where local policy decides, they hold a block
line such as [[agency:crisis-steps]], and each agency writes its text once, here. Until
it does, learners see a default that sends them to their supervisor.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.domain.courses import Catalog
from lms.domain.markdown import AGENCY_BLOCKS, render
from lms.extensions import db
from lms.models import AgencyBlock, User, UserRole, utcnow
from lms.services import audit
from lms.services.assignments import rules_of

MAX_CHARS = 10_000


@dataclass(frozen=True)
class UnfilledBlock:
    name: str
    label: str
    courses: tuple[str, ...]  # titles of the courses whose lessons show it


def default_html(name: str) -> str:
    label = AGENCY_BLOCKS.get(name, name).lower()
    return render(
        f"**Your agency's {label}.** Your agency has not written them here yet. "
        "Ask your supervisor how this works where you work, and write it down somewhere you can find it fast."
    ).html


def texts_of(agency_id: int) -> dict[str, str]:
    return dict(db.session.execute(sa.select(AgencyBlock.name, AgencyBlock.markdown).where(AgencyBlock.agency_id == agency_id)).all())


def blocks_html(agency_id: int, names) -> dict[str, str]:
    """The HTML each named block shows for this agency: its own sanitized text, or the default."""
    if not names:
        return {}
    texts = texts_of(agency_id)
    return {name: render(texts[name]).html if texts.get(name) else default_html(name) for name in names}


def save_block(agency_id: int, actor: User, name: str, text: str) -> None:
    """Save the agency's text (Markdown, stripped) for the named block; empty text brings back the default."""
    if name not in AGENCY_BLOCKS:
        raise LookupError(name)
    row = db.session.scalar(sa.select(AgencyBlock).where(AgencyBlock.agency_id == agency_id, AgencyBlock.name == name))
    if not text:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(AgencyBlock(agency_id=agency_id, name=name, markdown=text))
    else:
        row.markdown, row.updated_at = text, utcnow()
    db.session.flush()
    audit.record(agency_id, actor.id, "agency_block.update", AGENCY_BLOCKS[name], characters=len(text))


def unfilled_in_use(agency_id: int, catalog: Catalog) -> list[UnfilledBlock]:
    """Blocks the agency has not written that lessons its people take show.

    "Its people take" a course when some active person's role is in its audiences or it is
    assigned to someone.
    """
    roles = set(
        db.session.scalars(
            sa.select(UserRole.role).join(User, User.id == UserRole.user_id).where(User.agency_id == agency_id, User.active).distinct()
        )
    )
    assigned = {rule.course_slug for rule in rules_of(agency_id)}
    filled = set(texts_of(agency_id))
    used: dict[str, list[str]] = {}
    for course in catalog:
        if not (course.is_for(roles) or course.slug in assigned):
            continue
        for lesson in course.lessons:
            for name in lesson.agency_blocks:
                if name in AGENCY_BLOCKS and name not in filled and course.title not in used.setdefault(name, []):
                    used[name].append(course.title)
    return [UnfilledBlock(name, AGENCY_BLOCKS[name], tuple(titles)) for name, titles in used.items()]
