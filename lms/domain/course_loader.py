"""Courses are folders of Markdown and YAML; this module loads them into the immutable
types of lms.domain.courses.

A course with an error is left out of the catalog (and its problems kept), so one broken
file never takes the other courses down.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from pathlib import Path
from types import MappingProxyType

import yaml

from lms.domain import markdown
from lms.domain.courses import (
    ERROR,
    QUESTION_KINDS,
    Catalog,
    Choice,
    Contributor,
    Course,
    Lesson,
    Objective,
    PlanSection,
    Problem,
    Question,
)
from lms.domain.renewal import categories_problem
from lms.domain.roles import ROLES
from lms.domain.yaml_lines import LineDict, load_yaml

COURSE_FILE = "course.md"
CHECK_FILE = "check.yaml"
PLAN_FILE = "plan.yaml"
LESSON_FILE = re.compile(r"^\d{2}-[a-z0-9-]+\.md$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
OBJECTIVE_ID = re.compile(r"^O\d+$")


def lesson_href(lesson_id: str) -> str:
    """Lesson pages live side by side (…/lessons/<id>), so a relative link reaches a sibling."""
    return lesson_id


def load_catalog(courses_dir, root=None) -> Catalog:
    """Load every course folder below courses_dir. Paths in problems are relative to root."""
    courses_dir = Path(courses_dir)
    root = Path(root) if root else courses_dir.parent
    courses, problems, broken = {}, [], set()
    if not courses_dir.is_dir():
        return Catalog(MappingProxyType({}), (Problem(str(courses_dir), 1, "courses folder not found"),))
    for folder in sorted(p for p in courses_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        course, course_problems = load_course(folder, root)
        problems.extend(course_problems)
        if course is None or any(p.severity == ERROR for p in course_problems):
            broken.add(folder.name)
        else:
            courses[course.slug] = course
    for problem in prerequisite_problems(courses.values(), set(courses)):
        problems.append(problem)
        slug = problem.path.split("/")[-2]
        if courses.pop(slug, None) is not None:
            broken.add(slug)
    return Catalog(MappingProxyType(courses), tuple(problems), frozenset(broken))


def prerequisite_problems(courses, known_slugs) -> list[Problem]:
    """A course may only require courses that exist, and no course may end up requiring itself."""
    by_slug = {course.slug: course for course in courses}
    problems = []
    for course in by_slug.values():
        where = f"{course.path}/{COURSE_FILE}"
        for slug in course.requires:
            if slug not in known_slugs:
                problems.append(Problem(where, course.line_of("requires"), f"requires unknown course '{slug}'"))
        cycle = _cycle_from(course.slug, by_slug)
        if cycle:
            problems.append(Problem(where, course.line_of("requires"), f"requires form a loop: {' -> '.join(cycle)}"))
    return problems


def _cycle_from(start: str, by_slug) -> list[str] | None:
    path, seen = [start], set()

    def walk(slug):
        for nxt in by_slug[slug].requires if slug in by_slug else ():
            if nxt == start:
                return path + [start]
            if nxt not in seen:
                seen.add(nxt)
                path.append(nxt)
                found = walk(nxt)
                if found:
                    return found
                path.pop()
        return None

    return walk(start)


class _Collector:
    """Gathers problems for one course, with paths relative to the project."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def add(self, path: Path, line: int, message: str, severity: str = ERROR):
        self.problems.append(Problem(self.rel(path), line, message, severity))


def load_course(folder: Path, root: Path) -> tuple[Course | None, list[Problem]]:
    found = _Collector(root)
    course_path = _course_file(folder, found)
    if course_path is None:
        return None, found.problems
    meta, body, body_line = _read_front_matter(course_path, found)
    if meta is None:
        return None, found.problems

    lessons = _lessons(folder, found)
    intro = _intro(body, body_line, lessons, course_path, found)
    objectives = _objectives(meta, course_path, found)
    objective_ids = {o.id for o in objectives}
    _check_lesson_objectives(lessons, objective_ids, folder, found)
    audiences = _audiences(meta, course_path, found)
    questions = _load_check(folder / CHECK_FILE, objective_ids, audiences, found)
    plan = _load_plan(folder / PLAN_FILE, found)
    settings = _settings(meta, course_path, found)
    references = _references(meta, course_path, found)
    if not lessons:
        found.add(course_path, 1, "the course has no lesson files (NN-name.md)")
    ce_facts = _ce_facts(meta, course_path, found)
    requires = _requires(meta, course_path, found)

    if any(p.severity == ERROR for p in found.problems):
        return None, found.problems
    course = Course(
        slug=folder.name,
        **settings,
        audiences=audiences,
        objectives=objectives,
        references=references,
        **ce_facts,
        intro_html=intro.html,
        intro_prose=intro.prose,
        intro_paragraphs=tuple((body_line + line - 1, text) for line, text in intro.paragraphs),
        lessons=lessons,
        questions=questions,
        plan_sections=plan,
        version=content_version(folder),
        path=found.rel(folder),
        key_lines=MappingProxyType(dict(meta.key_lines)),
        requires=requires,
    )
    return course, found.problems


def _course_file(folder: Path, found: _Collector) -> Path | None:
    """The folder's course.md, or None when the folder is not a course (the problem is recorded)."""
    if not SLUG.match(folder.name):
        found.add(folder, 1, "course folder name must be lower-case letters, digits and dashes")
        return None
    course_path = folder / COURSE_FILE
    if not course_path.is_file():
        found.add(course_path, 1, f"missing {COURSE_FILE}")
        return None
    return course_path


def _lessons(folder: Path, found: _Collector) -> tuple[Lesson, ...]:
    """The course's lessons in their order, with ids and orders checked to be unique."""
    lessons = tuple(sorted(_load_lessons(_lesson_files(folder, found), found), key=lambda lesson: lesson.order))
    _check_lesson_ids_and_orders(lessons, folder, found)
    return lessons


def _intro(body: str, body_line: int, lessons, course_path: Path, found: _Collector) -> markdown.RenderedMarkdown:
    """The course page's text below the front matter; links to lesson files become lesson links."""
    lesson_by_file = {lesson.path: lesson.id for lesson in lessons}
    intro = markdown.render(body, link_for_file=lambda name: _link(lesson_by_file, name, "lessons/"))
    for line, message in intro.issues:
        found.add(course_path, body_line + line - 1, message)
    return intro


def _check_lesson_objectives(lessons, objective_ids: set[str], folder: Path, found: _Collector):
    for lesson in lessons:
        for objective_id in lesson.objectives:
            if objective_id not in objective_ids:
                found.add(folder / lesson.path, 1, f"lesson names unknown objective '{objective_id}'")


def _settings(meta, path, found) -> dict:
    """Title, summary, length, continuing-education credit and what completing takes."""
    title = _text(meta, "title", path, found)
    summary = _text(meta, "summary", path, found)
    minutes = _whole_number(meta, "minutes", path, found, 10, 240)
    ce_hours = _ce_hours(meta, path, found)
    ce_categories = _ce_categories(meta, ce_hours, path, found)
    return {
        "title": title,
        "summary": summary,
        "minutes": minutes,
        "ce_hours": ce_hours,
        "ce_categories": MappingProxyType(ce_categories),
        "valid_for_months": _optional_whole_number(meta, "valid_for_months", path, found, 1, 120),
        "pass_mark": _optional_whole_number(meta, "pass_mark", path, found, 50, 100),
        "requires_evaluation": _requires_evaluation(meta, path, found),
    }


def _optional_whole_number(meta, key, path, found, low, high) -> int | None:
    return _whole_number(meta, key, path, found, low, high) if key in meta else None


def _requires_evaluation(meta, path, found):
    value = meta.get("requires_evaluation", True)
    if not isinstance(value, bool):
        found.add(path, meta.line_of("requires_evaluation"), "requires_evaluation must be true or false")
    return value


def _references(meta, path, found) -> tuple[str, ...]:
    references = _sources(meta, "references", path, found) or ()
    if not references:
        found.add(path, meta.line, "the course lists no references")
    return references


def _requires(meta, path, found) -> tuple[str, ...]:
    """The slugs of the courses to finish first."""
    requires = meta.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(slug, str) and SLUG.match(slug) for slug in requires):
        found.add(path, meta.line_of("requires"), "requires must be a list of course slugs, e.g. [self-care]")
        return ()
    return tuple(requires)


def content_version(folder: Path) -> str:
    """A short hash of every file in the course folder: it changes whenever content does."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _link(lesson_by_file: dict, file_name: str, prefix: str) -> str | None:
    lesson_id = lesson_by_file.get(file_name)
    return None if lesson_id is None else prefix + lesson_href(lesson_id)


def _read_front_matter(path: Path, found: _Collector):
    """Return (metadata, body, line where the body starts) or (None, '', 0)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        found.add(path, 1, "file is not UTF-8 text")
        return None, "", 0
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        found.add(path, 1, "file must start with '---' and YAML front matter")
        return None, "", 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        found.add(path, 1, "front matter is not closed with a '---' line")
        return None, "", 0
    try:
        meta = load_yaml("".join(lines[1:end]))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        found.add(path, line, f"bad YAML: {getattr(error, 'problem', None) or error}")
        return None, "", 0
    if not isinstance(meta, LineDict):
        found.add(path, 2, "front matter must be a set of 'key: value' lines")
        return None, "", 0
    _shift_lines(meta, 1)
    return meta, "".join(lines[end + 1 :]), end + 2


def _shift_lines(value, offset: int):
    """Front matter starts on line 2 of its file: move every recorded line by offset."""
    if isinstance(value, LineDict):
        value.line += offset
        value.key_lines = {k: v + offset for k, v in value.key_lines.items()}
        for item in value.values():
            _shift_lines(item, offset)
    elif isinstance(value, list):
        for item in value:
            _shift_lines(item, offset)


def _text(meta, key, path, found, where=None) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        found.add(path, meta.line_of(key), f"missing {where or ''}{key}")
        return ""
    return value.strip()


def _whole_number(meta, key, path, found, low, high) -> int:
    value = meta.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        found.add(path, meta.line_of(key), f"{key} must be a whole number from {low} to {high}")
        return 0
    return value


def _ce_hours(meta, path, found) -> float:
    value = meta.get("ce_hours")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        found.add(path, meta.line_of("ce_hours"), "ce_hours must be a number of hours, such as 1.0")
        return 0.0
    return float(value)


def _ce_categories(meta, hours, path, found) -> dict[str, float]:
    """ce_categories: {ethics: 1.0}: lowercase category names, adding up to no more than ce_hours."""
    value = meta.get("ce_categories")
    if value is None:
        return {}
    problem = categories_problem(value, hours)
    if problem:
        found.add(path, meta.line_of("ce_categories"), f"ce_categories: {problem}")
        return {}
    return {name: float(hours) for name, hours in sorted(value.items())}


def _ce_facts(meta, path, found) -> dict:
    """The facts a continuing-education provider must show. A missing one is left empty for
    the quality rules to report; a malformed one is an error."""
    return {
        "further_sources": _sources(meta, "further_sources", path, found),
        "authors": _contributors(meta, "authors", path, found),
        "reviewers": _contributors(meta, "reviewers", path, found),
        "last_reviewed": _date(meta, "last_reviewed", path, found),
        "conflict_of_interest": _optional_text(meta, "conflict_of_interest", path, found),
        "delivery_format": _optional_text(meta, "delivery_format", path, found),
    }


def _sources(meta, key, path, found) -> tuple[str, ...] | None:
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        found.add(path, meta.line_of(key), f"{key} must be a list of full references")
        return ()
    return tuple(item.strip() for item in value)


def _contributors(meta, key, path, found) -> tuple[Contributor, ...]:
    value = meta.get(key) or []
    if not isinstance(value, list) or not all(
        isinstance(item, LineDict) and _is_text(item.get("name")) and _is_text(item.get("credentials")) for item in value
    ):
        found.add(path, meta.line_of(key), f"{key} must be a list of people, each with a name and credentials")
        return ()
    return tuple(Contributor(item["name"].strip(), item["credentials"].strip()) for item in value)


def _date(meta, key, path, found) -> datetime.date | None:
    value = meta.get(key)
    if value is None or (isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)):
        return value
    found.add(path, meta.line_of(key), f"{key} must be a date written like 2026-11-28")
    return None


def _optional_text(meta, key, path, found) -> str:
    value = meta.get(key)
    if value is None or value == "":
        return ""
    if not _is_text(value):
        found.add(path, meta.line_of(key), f"{key} must be plain text")
        return ""
    return value.strip()


def _is_text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _audiences(meta, path, found) -> tuple[str, ...]:
    value = meta.get("audiences")
    if not isinstance(value, list) or not value:
        found.add(path, meta.line_of("audiences"), f"audiences must list one or more of: {', '.join(ROLES)}")
        return ()
    unknown = [a for a in value if a not in ROLES]
    for audience in unknown:
        found.add(path, meta.line_of("audiences"), f"unknown audience '{audience}' (use: {', '.join(ROLES)})")
    return tuple(a for a in value if a in ROLES)


def _objectives(meta, path, found) -> tuple[Objective, ...]:
    items = meta.get("objectives")
    if not isinstance(items, list) or not items:
        found.add(path, meta.line_of("objectives"), "objectives must be a list of {id, text}")
        return ()
    objectives, seen = [], set()
    for item in items:
        line = item.line if isinstance(item, LineDict) else meta.line_of("objectives")
        if not isinstance(item, LineDict) or not isinstance(item.get("id"), str) or not OBJECTIVE_ID.match(item["id"]):
            found.add(path, line, "each objective needs an id like O1 and a text")
            continue
        if item["id"] in seen:
            found.add(path, line, f"duplicate objective id '{item['id']}'")
            continue
        seen.add(item["id"])
        objectives.append(Objective(item["id"], _text(item, "text", path, found, "objective ")))
    return tuple(objectives)


def _lesson_files(folder: Path, found: _Collector) -> list[Path]:
    files = []
    for path in sorted(folder.glob("*.md")):
        if path.name == COURSE_FILE:
            continue
        if LESSON_FILE.match(path.name):
            files.append(path)
        else:
            found.add(path, 1, "lesson file names look like 01-short-name.md (lower-case, dashes)")
    return files


def _load_lessons(files: list[Path], found: _Collector) -> list[Lesson]:
    metas = {}
    for path in files:
        meta, body, body_line = _read_front_matter(path, found)
        if meta is not None:
            metas[path] = (meta, body, body_line)
    lesson_by_file = {path.name: meta.get("id") for path, (meta, _, _) in metas.items() if isinstance(meta.get("id"), str)}
    lessons = []
    for path, (meta, body, body_line) in metas.items():
        lesson_id = meta.get("id")
        if not isinstance(lesson_id, str) or not SLUG.match(lesson_id):
            found.add(path, meta.line_of("id"), "lesson id must be lower-case letters, digits and dashes")
            continue
        title = _text(meta, "title", path, found)
        order = _whole_number(meta, "order", path, found, 1, 99)
        minutes = _whole_number(meta, "minutes", path, found, 1, 120)
        reflection = _text(meta, "reflection", path, found)
        objectives = meta.get("objectives") or []
        if not isinstance(objectives, list) or not all(isinstance(o, str) for o in objectives):
            found.add(path, meta.line_of("objectives"), "objectives must be a list of objective ids")
            objectives = []
        rendered = markdown.render(body, link_for_file=lambda name: _link(lesson_by_file, name, ""))
        for line, message in rendered.issues:
            found.add(path, body_line + line - 1, message)
        lessons.append(
            Lesson(
                id=lesson_id,
                title=title,
                order=order,
                minutes=minutes,
                objectives=tuple(objectives),
                reflection=reflection,
                html=rendered.html,
                prose=rendered.prose,
                paragraphs=tuple((body_line + line - 1, text) for line, text in rendered.paragraphs),
                headings=tuple((body_line + line - 1, level, text) for line, level, text in rendered.headings),
                path=path.name,
                key_lines=MappingProxyType(dict(meta.key_lines)),
            )
        )
    return lessons


def _check_lesson_ids_and_orders(lessons, folder: Path, found: _Collector):
    seen_ids, seen_orders = {}, {}
    for lesson in lessons:
        path = folder / lesson.path
        if lesson.id in seen_ids:
            found.add(path, 2, f"duplicate lesson id '{lesson.id}' (also in {seen_ids[lesson.id]})")
        seen_ids.setdefault(lesson.id, lesson.path)
        if lesson.order in seen_orders:
            found.add(path, 2, f"duplicate lesson order {lesson.order} (also in {seen_orders[lesson.order]})")
        seen_orders.setdefault(lesson.order, lesson.path)


def _read_yaml_file(path: Path, found: _Collector):
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        found.add(path, 1, "file is not UTF-8 text")
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        found.add(path, mark.line + 1 if mark else 1, f"bad YAML: {getattr(error, 'problem', None) or error}")
        return None
    return data


def _load_check(path: Path, objective_ids: set[str], audiences, found: _Collector) -> tuple[Question, ...]:
    if not path.is_file():
        return ()
    data = _read_yaml_file(path, found)
    if data is None:
        return ()
    items = data.get("questions") if isinstance(data, LineDict) else None
    if not isinstance(items, list) or not items:
        found.add(path, 1, "check.yaml must have a list of questions")
        return ()
    questions, seen = [], set()
    for item in items:
        if not isinstance(item, LineDict):
            found.add(path, 1, "each question must be a set of 'key: value' lines")
            continue
        question_id = item.get("id")
        if not isinstance(question_id, str) or not question_id.strip():
            found.add(path, item.line, "question needs an id")
            continue
        if question_id in seen:
            found.add(path, item.line_of("id"), f"duplicate question id '{question_id}'")
        seen.add(question_id)
        objective = item.get("objective")
        if objective not in objective_ids:
            found.add(path, item.line_of("objective"), f"question {question_id} names unknown objective '{objective}'")
        prompt = _text(item, "prompt", path, found, f"question {question_id} ")
        choices = _choices(item, question_id, path, found)
        questions.append(
            Question(
                question_id,
                str(objective),
                prompt,
                choices,
                kind=_question_kind(item, question_id, path, found),
                audiences=_question_audiences(item, question_id, audiences, path, found),
                line=item.line,
            )
        )
    return tuple(questions)


def _question_kind(item, question_id, path, found) -> str:
    kind = item.get("kind")
    if kind is None:
        return ""
    if kind not in QUESTION_KINDS:
        found.add(path, item.line_of("kind"), f"question {question_id}: kind must be one of {', '.join(QUESTION_KINDS)}")
        return ""
    return kind


def _question_audiences(item, question_id, course_audiences, path, found) -> tuple[str, ...]:
    value = item.get("audiences")
    if value is None:
        return ()
    if not isinstance(value, list) or not value or not set(value) <= set(course_audiences):
        found.add(
            path,
            item.line_of("audiences"),
            f"question {question_id}: audiences must list roles of this course ({', '.join(course_audiences)})",
        )
        return ()
    return tuple(value)


def _choices(item, question_id, path, found) -> tuple[Choice, ...]:
    raw = item.get("choices")
    if not isinstance(raw, list) or len(raw) < 2:
        found.add(path, item.line_of("choices"), f"question {question_id} needs at least two choices")
        return ()
    choices = []
    for index, choice in enumerate(raw):
        if not isinstance(choice, LineDict):
            found.add(path, item.line_of("choices"), f"question {question_id}: each choice needs text and feedback")
            continue
        text = _text(choice, "text", path, found, f"question {question_id} choice ")
        feedback = _text(choice, "feedback", path, found, f"question {question_id} choice ")
        correct = choice.get("correct", False)
        if not isinstance(correct, bool):
            found.add(path, choice.line_of("correct"), "correct must be true or false")
        choices.append(Choice(id="abcdefgh"[index], text=text, correct=correct is True, feedback=feedback))
    if sum(c.correct for c in choices) != 1:
        found.add(path, item.line, f"question {question_id} must have exactly one correct choice")
    if len(raw) > 8:
        found.add(path, item.line_of("choices"), f"question {question_id} has more than 8 choices")
    return tuple(choices)


def _load_plan(path: Path, found: _Collector) -> tuple[PlanSection, ...]:
    if not path.is_file():
        return ()
    data = _read_yaml_file(path, found)
    items = data.get("sections") if isinstance(data, LineDict) else None
    if not isinstance(items, list) or not items:
        if data is not None:
            found.add(path, 1, "plan.yaml must have a list of sections")
        return ()
    sections = []
    for item in items:
        if not isinstance(item, LineDict) or not isinstance(item.get("id"), str):
            found.add(path, getattr(item, "line", 1), "each plan section needs an id, a label and a hint")
            continue
        sections.append(PlanSection(item["id"], _text(item, "label", path, found), _text(item, "hint", path, found)))
    return tuple(sections)
