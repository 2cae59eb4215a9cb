"""Learning paths: an agency's ordered list of courses (such as "Peer orientation"), assigned like a course."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from lms.domain.courses import Course
from lms.extensions import db
from lms.models import Assignment, LearningPath, User
from lms.services import audit
from lms.services.agency_rows import agency_row
from lms.services.assignments import RuleTerms, create_assignment
from lms.services.invalid_input import InvalidInput

MAX_STEPS = 8


@dataclass(frozen=True)
class PathProgress:
    path: LearningPath
    steps: tuple[tuple[Course, bool], ...]  # (course, finished), in order
    next_course: Course | None  # None: every step is done


def paths_of(agency_id: int) -> list[LearningPath]:
    return list(db.session.scalars(sa.select(LearningPath).where(LearningPath.agency_id == agency_id).order_by(LearningPath.title)))


def path_of(agency_id: int, path_id: int) -> LearningPath | None:
    return agency_row(LearningPath, path_id, agency_id)


@dataclass(frozen=True)
class NewPath:
    """A path to make: its name, stripped, and its courses of the catalog in order, each once."""

    title: str
    course_slugs: tuple[str, ...]


def create_path(agency_id: int, actor: User, new_path: NewPath) -> LearningPath:
    """Raises InvalidInput when the agency already has a path with that name."""
    slug = re.sub(r"[^a-z0-9]+", "-", new_path.title.lower()).strip("-")[:100]
    if db.session.scalar(sa.select(LearningPath.id).where(LearningPath.agency_id == agency_id, LearningPath.slug == slug)):
        raise InvalidInput({"title": "Your agency already has a path with that name."})
    path = LearningPath(agency_id=agency_id, slug=slug, title=new_path.title, course_slugs=list(new_path.course_slugs))
    db.session.add(path)
    db.session.flush()
    audit.record(agency_id, actor.id, "learning_path.create", new_path.title, courses=list(new_path.course_slugs))
    return path


def assign_path(agency_id: int, actor: User, catalog, path: LearningPath, terms: RuleTerms) -> list[Assignment]:
    """One assignment rule per course of the path, for the same people and due date."""
    rows = []
    for slug in path.course_slugs:
        row = create_assignment(agency_id, actor, catalog, slug, terms)
        row.path_id = path.id
        rows.append(row)
    db.session.flush()
    return rows


def paths_for(path_ids, catalog, completed_slugs) -> list[PathProgress]:
    """The paths with these ids (those assigned to a person), each with its steps and the next
    one to take. No query when there are none."""
    if not path_ids:
        return []
    found = []
    for path in db.session.scalars(sa.select(LearningPath).where(LearningPath.id.in_(sorted(path_ids))).order_by(LearningPath.title)):
        steps = tuple((course, course.slug in completed_slugs) for course in map(catalog.get, path.course_slugs) if course)
        found.append(PathProgress(path, steps, next((course for course, done in steps if not done), None)))
    return found
