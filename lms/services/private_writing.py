"""A learner's private writing: lesson reflections and the self-care plan.

Stored encrypted; every function takes the owner's id, and nothing here reads another
person's rows. Supervisors, admins, reports and exports never call these; the one exception
is a person's own data download, which their admin may make for them on request (audit-logged).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Reflection, SelfCarePlan, SigningKey, utcnow
from lms.services import pdf_cache
from lms.services.upsert import insert_on_conflict
from lms.vault import Vault

MAX_REFLECTION = 10_000  # characters: the forms refuse longer writing (lms/web/learn/forms.py)
MAX_PLAN_SECTION = 2_000


@dataclass(frozen=True)
class ReflectionText:
    id: int
    course_slug: str
    lesson_id: str
    text: str
    updated_at: datetime


def save_reflection(vault: Vault, user_id: int, course_slug: str, lesson_id: str, text: str) -> ReflectionText | None:
    """Save (or, when empty, delete) the learner's reflection on a lesson."""
    text = (text or "").strip()
    pdf_cache.forget(user_id, pdf_cache.REFLECTIONS)
    if not text:
        db.session.execute(
            sa.delete(Reflection).where(
                Reflection.user_id == user_id, Reflection.course_slug == course_slug, Reflection.lesson_id == lesson_id
            )
        )
        return None
    now = utcnow()
    statement = insert_on_conflict(Reflection).values(
        user_id=user_id,
        course_slug=course_slug,
        lesson_id=lesson_id,
        body_encrypted=vault.encrypt(text),
        created_at=now,
        updated_at=now,
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "course_slug", "lesson_id"],
            set_={"body_encrypted": statement.excluded.body_encrypted, "updated_at": now},
        )
    )
    return reflection_on(vault, user_id, course_slug, lesson_id)


def reflection_on(vault: Vault, user_id: int, course_slug: str, lesson_id: str) -> ReflectionText | None:
    row = db.session.scalar(
        sa.select(Reflection).where(Reflection.user_id == user_id, Reflection.course_slug == course_slug, Reflection.lesson_id == lesson_id)
    )
    return open_reflection(vault, row) if row else None


def reflections_of(vault: Vault, user_id: int) -> list[ReflectionText]:
    rows = db.session.scalars(
        sa.select(Reflection).where(Reflection.user_id == user_id).order_by(Reflection.course_slug, Reflection.created_at)
    )
    return [open_reflection(vault, row) for row in rows]


def delete_reflection(user_id: int, reflection_id: int) -> bool:
    pdf_cache.forget(user_id, pdf_cache.REFLECTIONS)
    result = db.session.execute(sa.delete(Reflection).where(Reflection.id == reflection_id, Reflection.user_id == user_id))
    return result.rowcount == 1


def delete_all_reflections(user_id: int) -> int:
    pdf_cache.forget(user_id, pdf_cache.REFLECTIONS)
    return db.session.execute(sa.delete(Reflection).where(Reflection.user_id == user_id)).rowcount


def open_reflection(vault: Vault, row) -> ReflectionText:
    """A stored reflection (a Reflection, or a row with its columns), decrypted."""
    return ReflectionText(row.id, row.course_slug, row.lesson_id, vault.decrypt(row.body_encrypted), row.updated_at)


@dataclass(frozen=True)
class PlanText:
    sections: dict[str, str]
    review_on: date | None
    updated_at: datetime | None


def plan_of(vault: Vault, user_id: int) -> PlanText:
    row = db.session.scalar(sa.select(SelfCarePlan).where(SelfCarePlan.user_id == user_id))
    if row is None:
        return PlanText({}, None, None)
    return PlanText(json.loads(vault.decrypt(row.sections_encrypted)), row.review_on, row.updated_at)


def save_plan(vault: Vault, user_id: int, sections: dict[str, str], review_on: date | None) -> PlanText:
    cleaned = {key: (value or "").strip() for key, value in sections.items()}
    pdf_cache.forget(user_id, pdf_cache.SELF_CARE_PLAN)
    now = utcnow()
    statement = insert_on_conflict(SelfCarePlan).values(
        user_id=user_id, sections_encrypted=vault.encrypt(json.dumps(cleaned)), review_on=review_on, updated_at=now
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id"],
            set_={"sections_encrypted": statement.excluded.sections_encrypted, "review_on": review_on, "updated_at": now},
        )
    )
    return plan_of(vault, user_id)


def rotate_keys(vault: Vault) -> int:
    """Re-encrypt every stored reflection and plan, and every badge-signing private key, with
    the newest key; returns rows rewritten."""
    count = 0
    for model, column in ((Reflection, "body_encrypted"), (SelfCarePlan, "sections_encrypted"), (SigningKey, "private_key_encrypted")):
        for row in db.session.scalars(sa.select(model)):
            setattr(row, column, vault.rotate(getattr(row, column)))
            count += 1
    pdf_cache.forget_all()
    return count
