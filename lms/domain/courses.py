"""The course types: a course, its lessons, check questions and plan, and the catalog of courses.

They are immutable; lms.domain.course_loader reads them from folders of Markdown and YAML.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Mapping

from lms.domain import markdown

DEFAULT_PASS_MARK = 80
QUESTION_KINDS = ("applied", "concept", "recall")

ERROR = "error"  # the course cannot be served
QUALITY = "quality"  # the course is served, but `flask courses check` fails


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Objective:
    id: str
    text: str


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    order: int
    minutes: int
    objectives: tuple[str, ...]
    reflection: str
    html: str
    prose: str
    paragraphs: tuple[tuple[int, str], ...]  # (line in the file, Markdown text)
    headings: tuple[tuple[int, int, str], ...]
    path: str
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False)  # front-matter key -> line in the file

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    @property
    def has_role_card(self) -> bool:
        return markdown.ROLE_CARD_MARKER in self.html

    @property
    def agency_blocks(self) -> tuple[str, ...]:
        """The named agency blocks ([[agency:crisis-steps]]…) the lesson shows."""
        return markdown.blocks_in(self.html)


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    id: str
    objective: str
    prompt: str
    choices: tuple[Choice, ...]
    kind: str = ""  # applied, concept or recall; empty when the author left it out
    audiences: tuple[str, ...] = ()  # empty: served to everyone who takes the check
    line: int = 1

    def is_for(self, roles) -> bool:
        return not self.audiences or bool(set(self.audiences) & set(roles))

    @property
    def correct_choice(self) -> Choice | None:
        return next((choice for choice in self.choices if choice.correct), None)


@dataclass(frozen=True)
class Contributor:
    name: str
    credentials: str


@dataclass(frozen=True)
class PlanSection:
    id: str
    label: str
    hint: str


@dataclass(frozen=True)
class Course:
    slug: str
    title: str
    summary: str
    audiences: tuple[str, ...]
    minutes: int
    ce_hours: float
    pass_mark: int | None  # None: the agency's default
    requires_evaluation: bool
    objectives: tuple[Objective, ...]
    references: tuple[str, ...]
    further_sources: tuple[str, ...] | None  # None: the key is missing
    authors: tuple[Contributor, ...]
    reviewers: tuple[Contributor, ...]
    last_reviewed: datetime.date | None
    conflict_of_interest: str
    delivery_format: str
    intro_html: str
    intro_prose: str
    intro_paragraphs: tuple[tuple[int, str], ...]  # (line in course.md, Markdown text)
    lessons: tuple[Lesson, ...]
    questions: tuple[Question, ...]
    plan_sections: tuple[PlanSection, ...]
    version: str
    path: str
    valid_for_months: int | None = None  # a certificate expires this many months after completion
    # CE hours by category, e.g. {"ethics": 1.0}: part of ce_hours, counted toward renewal minimums.
    ce_categories: Mapping[str, float] = field(default_factory=dict)
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False)  # front-matter key -> line in course.md
    requires: tuple[str, ...] = ()  # slugs of courses to finish first

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    @property
    def lesson_ids(self) -> tuple[str, ...]:
        return tuple(lesson.id for lesson in self.lessons)

    def neighbours(self, lesson_id: str) -> tuple[Lesson | None, Lesson | None]:
        """The lessons before and after the given one."""
        ids = self.lesson_ids
        at = ids.index(lesson_id)
        before = self.lessons[at - 1] if at > 0 else None
        after = self.lessons[at + 1] if at + 1 < len(ids) else None
        return before, after

    def is_for(self, roles) -> bool:
        return bool(set(self.audiences) & set(roles))

    def missing_prerequisites(self, completed_slugs) -> tuple[str, ...]:
        """The required courses not finished yet: while any is left, the course is locked."""
        return tuple(slug for slug in self.requires if slug not in completed_slugs)

    def questions_for(self, roles) -> tuple[Question, ...]:
        """The questions a learner with these roles is served and graded on.

        Someone outside the course's audiences (an admin trying it out, a learner assigned
        it) is served every question, so the check is never empty.
        """
        if not self.is_for(roles):
            return self.questions
        return tuple(q for q in self.questions if q.is_for(roles))


@dataclass(frozen=True)
class Catalog:
    courses: Mapping[str, Course]
    problems: tuple[Problem, ...] = ()
    broken: frozenset[str] = field(default_factory=frozenset)

    def get(self, slug: str) -> Course | None:
        return self.courses.get(slug)

    def __iter__(self):
        return iter(self.courses.values())
