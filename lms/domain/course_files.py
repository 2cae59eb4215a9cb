"""A course folder held in memory (file name -> text), read by the same loader as a folder on disk.

Agency courses live in the database as a mapping of file names to text. The loader only
needs a few things from a folder (its name, its files, their text), so this module offers
exactly those, and an agency course is checked and served by the very code that serves
the shared courses. The content hash is the same as that of the exported folder.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import PurePosixPath

from lms.domain import markdown
from lms.domain.course_loader import CHECK_FILE, COURSE_FILE, load_course
from lms.domain.courses import Course, Problem

# The files an agency course may hold: the course facts, lessons and the knowledge check.
ALLOWED_FILE = re.compile(r"^(course\.md|check\.yaml|\d{2}-[a-z0-9-]+\.md)$")


class MemoryRoot:
    """Where problem paths are counted from: they read `slug/file`."""

    def __str__(self) -> str:
        return ""


class MemoryFile:
    def __init__(self, folder: MemoryFolder, name: str):
        self.folder, self.name = folder, name

    def is_file(self) -> bool:
        return self.name in self.folder.files

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.folder.files[self.name]

    def read_bytes(self) -> bytes:
        return self.folder.files[self.name].encode("utf-8")

    def relative_to(self, other) -> PurePosixPath:
        if other is self.folder:
            return PurePosixPath(self.name)
        if other is self.folder.root:
            return PurePosixPath(self.folder.name, self.name)
        raise ValueError(f"{self} is not inside {other}")

    def __lt__(self, other: MemoryFile) -> bool:
        return self.name < other.name

    def __str__(self) -> str:
        return f"{self.folder.name}/{self.name}"


class MemoryFolder:
    def __init__(self, name: str, files: dict[str, str]):
        self.name, self.files, self.root = name, dict(files), MemoryRoot()

    def __truediv__(self, name: str) -> MemoryFile:
        return MemoryFile(self, name)

    def glob(self, pattern: str):
        return [MemoryFile(self, name) for name in sorted(self.files) if fnmatch.fnmatch(name, pattern)]

    def rglob(self, pattern: str):
        return self.glob(pattern)

    def relative_to(self, other) -> PurePosixPath:
        if other is self.root:
            return PurePosixPath(self.name)
        raise ValueError(f"{self} is not inside {other}")

    def __str__(self) -> str:
        return self.name


def load_files(slug: str, files: dict[str, str]) -> tuple[Course | None, list[Problem]]:
    """Load a course from its files; problem paths read `slug/file`."""
    folder = MemoryFolder(slug, files)
    course, problems = load_course(folder, folder.root)
    return course, problems


def ordered_file_names(files) -> list[str]:
    """course.md first, then the lessons, then check.yaml: the order an author reads them."""
    rest = sorted(name for name in files if name not in (COURSE_FILE, CHECK_FILE))
    return [name for name in (COURSE_FILE,) if name in files] + rest + [name for name in (CHECK_FILE,) if name in files]


def preview_html(name: str, text: str, file_names) -> str:
    """What learners would see of one Markdown file: its body, through the site's sanitizer.

    Links to lessons of the draft point nowhere yet; a link to a missing file is left out,
    as the checker reports it.
    """
    if not name.endswith(".md"):
        return ""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            lines = lines[end + 1 :]
    known = set(file_names)
    return markdown.render("\n".join(lines), link_for_file=lambda file: "#" if file in known else None).html
