"""Courses an agency writes for its own people: drafts, checked publishing, versions, ZIP in and out.

A course is a set of files (course.md, NN-name.md lessons, check.yaml), stored as one
immutable version per content hash. Admins edit the draft; publishing runs every gate
of `flask courses check` and refuses with the checker's messages.
"""

from __future__ import annotations

import difflib
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath

import sqlalchemy as sa
from flask import current_app

from lms.domain.content_rules import quality_problems
from lms.domain.course_files import ALLOWED_FILE, MemoryFolder, load_files, ordered_file_names
from lms.domain.course_loader import COURSE_FILE, SLUG, content_version, prerequisite_problems
from lms.domain.courses import Problem
from lms.extensions import db
from lms.models import AgencyCourse, AgencyCourseVersion, User, utcnow
from lms.services import audit
from lms.services.agency_catalog import catalog_for
from lms.services.agency_rows import agency_row
from lms.services.invalid_input import InvalidInput

MAX_SLUG = 60
MAX_FILE_CHARS = 100_000  # about 15,000 words; a lesson holds at most 1,300
MAX_FILES = 40
MAX_ZIP_BYTES = 2_000_000
MAX_ZIP_TOTAL = 3_000_000  # uncompressed


class AgencyCourseError(InvalidInput):
    """Bad input, with a message for each field (or file) to fix."""


class PublishRefused(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class FileProblem:
    file: str
    line: int
    message: str
    severity: str


def agency_courses(agency_id: int) -> list[AgencyCourse]:
    return list(db.session.scalars(sa.select(AgencyCourse).where(AgencyCourse.agency_id == agency_id).order_by(AgencyCourse.slug)))


def agency_course(agency_id: int, course_id: int) -> AgencyCourse | None:
    """The course when it belongs to this agency; None otherwise (the caller answers 404)."""
    return agency_row(AgencyCourse, course_id, agency_id)


def version_of(course: AgencyCourse, content_hash: str | None) -> AgencyCourseVersion | None:
    if content_hash is None:
        return None
    return db.session.scalar(
        sa.select(AgencyCourseVersion).where(AgencyCourseVersion.course_id == course.id, AgencyCourseVersion.content_hash == content_hash)
    )


def versions_of(course: AgencyCourse) -> list[AgencyCourseVersion]:
    return list(
        db.session.scalars(
            sa.select(AgencyCourseVersion).where(AgencyCourseVersion.course_id == course.id).order_by(AgencyCourseVersion.id.desc())
        )
    )


def draft_files(course: AgencyCourse) -> dict[str, str]:
    return dict(version_of(course, course.draft_version).files)


def starter_files(title: str) -> dict[str, str]:
    """A course that loads, for the author to fill in: the checker then names what is missing."""
    return {
        COURSE_FILE: (
            "---\n"
            f"title: {_yaml_text(title)}\n"
            "summary: One or two plain sentences about what learners will be able to do.\n"
            "audiences: [peer]\n"
            "minutes: 30\n"
            "ce_hours: 0.5\n"
            "objectives:\n"
            "  - id: O1\n"
            "    text: Name the first thing a learner will be able to do.\n"
            "references: []\n"
            "further_sources: []\n"
            "authors: []\n"
            "reviewers: []\n"
            f"last_reviewed: {date.today().isoformat()}\n"
            "conflict_of_interest: None known.\n"
            "delivery_format: self-paced online\n"
            "---\n"
            "A short welcome in Markdown.\n"
        ),
        "01-first-lesson.md": (
            "---\n"
            "id: first-lesson\n"
            "title: The first lesson\n"
            "order: 1\n"
            "minutes: 5\n"
            "objectives: [O1]\n"
            "reflection: A question for the learner to think about.\n"
            "---\n"
            "## Why this matters\n\n"
            "Write the lesson here.\n"
        ),
    }


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def create_course(agency_id: int, actor: User, slug: str, title: str, files: dict[str, str] | None = None) -> AgencyCourse:
    slug, title = slug.strip(), title.strip()
    errors = {}
    if not SLUG.match(slug) or len(slug) > MAX_SLUG:
        errors["slug"] = f"Use lower-case letters, digits and dashes only, up to {MAX_SLUG} characters, for example our-crisis-steps."
    elif current_app.extensions["catalog"].get(slug) is not None or slug in current_app.extensions["catalog"].broken:
        errors["slug"] = f"A shared course already uses the web address '{slug}'. Choose another."
    elif db.session.scalar(sa.select(AgencyCourse.id).where(AgencyCourse.agency_id == agency_id, AgencyCourse.slug == slug)):
        errors["slug"] = f"Your agency already has a course at '{slug}'."
    if files is None and not title:
        errors["title"] = "Enter a title."
    if errors:
        raise AgencyCourseError(errors)
    files = files if files is not None else starter_files(title)
    _check_file_set(files)
    course = AgencyCourse(agency_id=agency_id, slug=slug, draft_version="")
    db.session.add(course)
    db.session.flush()
    _store_draft(course, actor, files)
    audit.record(agency_id, actor.id, "agency_course.create", slug)
    return course


def save_draft(course: AgencyCourse, actor: User, files: dict[str, str]) -> AgencyCourseVersion:
    _check_file_set(files)
    return _store_draft(course, actor, files)


def _check_file_set(files: dict[str, str]):
    errors = {}
    for name, text in files.items():
        if not ALLOWED_FILE.match(name):
            errors[name] = f"'{name}' is not a course file: use course.md, check.yaml or lessons named like 01-short-name.md."
        elif len(text) > MAX_FILE_CHARS:
            errors[name] = f"{name} is longer than {MAX_FILE_CHARS:,} characters."
    if COURSE_FILE not in files:
        errors[COURSE_FILE] = "A course needs its course.md."
    if len(files) > MAX_FILES:
        errors["files"] = f"A course holds at most {MAX_FILES} files."
    if errors:
        raise AgencyCourseError(errors)


def _store_draft(course: AgencyCourse, actor: User, files: dict[str, str]) -> AgencyCourseVersion:
    files = {name: _normalise(text) for name, text in files.items()}
    content_hash = content_version(MemoryFolder(course.slug, files))
    version = version_of(course, content_hash)
    if version is None:
        version = AgencyCourseVersion(course_id=course.id, content_hash=content_hash, files=files, created_by_id=actor.id)
        db.session.add(version)
    course.draft_version = content_hash
    course.updated_at = utcnow()
    db.session.flush()
    return version


def _normalise(text: str) -> str:
    """Browsers send CRLF line ends; files on disk use LF. The hash should not depend on the browser."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") or not text else text + "\n"


def check(course: AgencyCourse, files: dict[str, str]) -> list[FileProblem]:
    """Every problem `flask courses check` would report for these files, by file and line."""
    loaded, problems = load_files(course.slug, files)
    prefix = course.slug + "/"
    if loaded is not None:
        problems = problems + quality_problems(loaded)
        # Prerequisites name courses this agency's people can take: shared ones or the agency's own.
        courses = {c.slug: c for c in catalog_for(course.agency_id)} | {loaded.slug: loaded}
        problems += [p for p in prerequisite_problems(courses.values(), set(courses)) if p.path.startswith(prefix)]
    return [FileProblem(p.path[len(prefix) :] if p.path.startswith(prefix) else p.path, p.line, p.message, p.severity) for p in problems]


def publish(course: AgencyCourse, actor: User) -> AgencyCourseVersion:
    """Serve the draft to learners, when it passes every gate; refuse with the problems otherwise."""
    version = version_of(course, course.draft_version)
    problems = check(course, version.files)
    if current_app.extensions["catalog"].get(course.slug) is not None:
        problems.insert(0, FileProblem(COURSE_FILE, 1, f"a shared course already uses the web address '{course.slug}'", "error"))
    if problems:
        raise PublishRefused(problems)
    version.published_at = version.published_at or utcnow()
    course.published_version = version.content_hash
    db.session.flush()
    audit.record(course.agency_id, actor.id, "agency_course.publish", course.slug, version=version.content_hash)
    return version


def unpublish(course: AgencyCourse, actor: User) -> None:
    course.published_version = None
    db.session.flush()
    audit.record(course.agency_id, actor.id, "agency_course.unpublish", course.slug)


def diff(older: AgencyCourseVersion, newer: AgencyCourseVersion) -> list[tuple[str, list[str]]]:
    """[(file name, unified diff lines)] for every file that differs, in reading order."""
    names = ordered_file_names(set(older.files) | set(newer.files))
    changes = []
    for name in names:
        before, after = older.files.get(name, ""), newer.files.get(name, "")
        if before != after:
            lines = list(
                difflib.unified_diff(
                    before.splitlines(),
                    after.splitlines(),
                    f"{older.content_hash}/{name}",
                    f"{newer.content_hash}/{name}",
                    lineterm="",
                )
            )
            changes.append((name, lines))
    return changes


# ZIP in and out: the same folder format as courses/<slug>/.


def read_zip(data: bytes) -> tuple[str | None, dict[str, str]]:
    """(folder name or None, {file name: text}) from an uploaded ZIP, within limits.

    Accepts the course files at the top, or inside one folder (its name is the slug).
    Refuses anything else: other file types, deeper folders, paths that climb out,
    links, files too large or too many.
    """
    archive, files = _open_zip(data)
    folders, texts, errors = set(), {}, []
    for member in files:
        parts = PurePosixPath(member.filename).parts
        if _added_by_zip_tool(parts):
            continue  # never read, wherever it sits
        if not _is_safe_path(member, parts):
            errors.append(f"'{member.filename}' is not allowed: course files sit at the top or in one folder.")
            continue
        if len(parts) == 2:
            folders.add(parts[0])
        text, problem = _course_file_text(archive, member, parts[-1])
        if problem:
            errors.append(problem)
        else:
            texts[parts[-1]] = text
    if len(folders) > 1:
        errors.append("The ZIP holds more than one folder; upload one course at a time.")
    if errors:
        raise AgencyCourseError({f"zip{i}": message for i, message in enumerate(errors)})
    return (folders.pop() if folders else None), texts


def _open_zip(data: bytes) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The archive and its files, refused before anything is read when it is too big to handle."""
    if len(data) > MAX_ZIP_BYTES:
        raise AgencyCourseError({"zip": f"The ZIP is larger than {MAX_ZIP_BYTES // 1_000_000} MB."})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise AgencyCourseError({"zip": "That file is not a ZIP archive."}) from None
    files = [m for m in members if not m.is_dir()]
    if len(files) > MAX_FILES:
        raise AgencyCourseError({"zip": f"The ZIP holds more than {MAX_FILES} files."})
    if sum(m.file_size for m in files) > MAX_ZIP_TOTAL:
        raise AgencyCourseError({"zip": f"The files in the ZIP add up to more than {MAX_ZIP_TOTAL // 1_000_000} MB."})
    return archive, files


def _is_safe_path(member: zipfile.ZipInfo, parts: tuple[str, ...]) -> bool:
    """At the top or in one folder, never climbing out, and not a symbolic link."""
    return not (
        "\\" in member.filename
        or member.filename.startswith("/")
        or ".." in parts
        or len(parts) > 2
        or (member.external_attr >> 16) & 0o170000 == 0o120000  # a symbolic link
    )


def _added_by_zip_tool(parts: tuple[str, ...]) -> bool:
    """Hidden files and the __MACOSX folder (at any depth within it) that desktop ZIP tools add."""
    return parts[-1].startswith(".") or parts[0] == "__MACOSX"


def _course_file_text(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> tuple[str | None, str | None]:
    """(text, None) for a course file, or (None, the reason it is refused)."""
    if not ALLOWED_FILE.match(name):
        return None, f"'{member.filename}' is not a course file (course.md, check.yaml, 01-name.md)."
    if member.file_size > MAX_FILE_CHARS * 4:
        return None, f"'{member.filename}' is too large."
    with archive.open(member) as handle:
        raw = handle.read(MAX_FILE_CHARS * 4 + 1)
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return None, f"'{member.filename}' is not UTF-8 text."


def import_zip(agency_id: int, actor: User, data: bytes, slug: str = "") -> AgencyCourse:
    """A new course from a ZIP, or a new draft of the agency's course with the same slug."""
    folder, files = read_zip(data)
    slug = slug.strip() or folder or ""
    if not slug:
        raise AgencyCourseError({"slug": "Enter the web address (slug) for the course, or put its files in a folder named after it."})
    _check_file_set(files)
    existing = db.session.scalar(sa.select(AgencyCourse).where(AgencyCourse.agency_id == agency_id, AgencyCourse.slug == slug))
    if existing is not None:
        save_draft(existing, actor, files)
        audit.record(agency_id, actor.id, "agency_course.upload", slug)
        return existing
    return create_course(agency_id, actor, slug, "", files)


def export_zip(course: AgencyCourse, version: AgencyCourseVersion) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ordered_file_names(version.files):
            archive.writestr(f"{course.slug}/{name}", version.files[name])
    return buffer.getvalue()
