"""The catalog one agency's people see: the shared courses and the agency's published courses.

Everything that finds a course by slug (lessons, checks, completion, assignments, the
matrix, reminders) asks here. A published version is immutable content named by its hash,
so a loaded course is cached by (slug, hash) for as long as the process lives: each app
server fills its own cache and none of them ever needs to tell the others anything. Per
request, the only cost is reading the agency's (slug, published hash) pairs, which the
statement that loads the signed-in person does on the way.
"""

from __future__ import annotations

import threading
from types import MappingProxyType

import sqlalchemy as sa
from flask import current_app, g

from lms.domain.course_files import load_files
from lms.domain.courses import Catalog, Course
from lms.extensions import db
from lms.models import AgencyCourse, AgencyCourseVersion

_lock = threading.Lock()


def catalog_for(agency_id: int | None) -> Catalog:
    """The catalog for an agency's people, memoised for the rest of the request."""
    shared = current_app.extensions["catalog"]
    if agency_id is None:
        return shared
    memo = g.setdefault("agency_catalogs", {})
    if agency_id not in memo:
        memo[agency_id] = with_agency_courses(shared, agency_id, g.get("published_courses", {}).get(agency_id))
    return memo[agency_id]


def note_published(agency_id: int, published: list[tuple[int, str, str]]) -> None:
    """The agency's (course id, slug, published version), read by the statement that loaded the
    signed-in person (lms.services.signed_in): catalog_for then needs no statement of its own."""
    g.published_courses = {agency_id: sorted(published, key=lambda course: course[1])}


def with_agency_courses(shared: Catalog, agency_id: int, published: list[tuple[int, str, str]] | None = None) -> Catalog:
    """published: the agency's (course id, slug, published version) by slug, when already read."""
    if published is None:
        published = db.session.execute(
            sa.select(AgencyCourse.id, AgencyCourse.slug, AgencyCourse.published_version)
            .where(AgencyCourse.agency_id == agency_id, AgencyCourse.published_version.is_not(None))
            .order_by(AgencyCourse.slug)
        ).all()
    if not published:
        return shared
    key = (id(shared), agency_id, tuple((slug, version) for _, slug, version in published))
    catalogs = current_app.extensions.setdefault("agency_catalog_cache", {})
    cached = catalogs.get(agency_id)
    if cached is not None and cached[0] == key:
        return cached[1]
    courses = dict(shared.courses)
    for course_id, slug, version in published:
        if slug not in courses:  # a shared course always wins a slug (publishing refuses the clash)
            course = _published_course(course_id, slug, version)
            if course is not None:
                courses[slug] = course
    catalog = Catalog(MappingProxyType(courses), shared.problems, shared.broken)
    current = {(course_id, version) for course_id, _, version in published}
    ids = {course_id for course_id, _ in current}
    loaded = current_app.extensions.setdefault("agency_course_cache", {})
    with _lock:
        catalogs[agency_id] = (key, catalog)  # one entry per agency: an older version is dropped
        for stale in [entry for entry in loaded if entry[0] in ids and entry not in current]:
            loaded.pop(stale, None)
    return catalog


def _published_course(course_id: int, slug: str, version: str) -> Course | None:
    loaded = current_app.extensions.setdefault("agency_course_cache", {})
    if (course_id, version) not in loaded:
        files = db.session.scalar(
            sa.select(AgencyCourseVersion.files).where(
                AgencyCourseVersion.course_id == course_id, AgencyCourseVersion.content_hash == version
            )
        )
        course = load_files(slug, files)[0] if files is not None else None
        with _lock:
            loaded[(course_id, version)] = course
    return loaded[(course_id, version)]
