"""Knowledge checks: the order a learner sees, and the score they earn."""

from __future__ import annotations

import random
from dataclasses import dataclass

from lms.domain.courses import Choice, Course, Question

DEFAULT_PASS_MARK = 80


@dataclass(frozen=True)
class ShuffledQuestion:
    question: Question
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class MarkedQuestion:
    question: Question
    chosen: Choice
    correct: bool


@dataclass(frozen=True)
class Grade:
    score: int  # percent, rounded down so a pass is never rounded up
    correct: int
    total: int
    pass_mark: int
    marked: tuple[MarkedQuestion, ...]

    @property
    def passed(self) -> bool:
        return self.score >= self.pass_mark


class IncompleteAnswers(ValueError):
    """Some questions were not answered, or an answer names no choice of its question."""

    def __init__(self, missing: list[str]):
        super().__init__(f"{len(missing)} question(s) not answered")
        self.missing = missing


def pass_mark_for(course: Course, agency_default: int = DEFAULT_PASS_MARK) -> int:
    return course.pass_mark if course.pass_mark is not None else agency_default


def shuffled(questions, seed) -> tuple[ShuffledQuestion, ...]:
    """Questions and their choices in an order fixed by the seed (the attempt's id)."""
    rng = random.Random(f"check-attempt:{seed}")  # noqa: S311  (a fixed order per attempt, not a secret)
    order = list(questions)
    rng.shuffle(order)
    result = []
    for question in order:
        choices = list(question.choices)
        rng.shuffle(choices)
        result.append(ShuffledQuestion(question, tuple(choices)))
    return tuple(result)


def grade(questions, answers: dict[str, str], pass_mark: int) -> Grade:
    """Mark every question. Raises IncompleteAnswers when any question lacks a valid answer."""
    missing = []
    marked = []
    for question in questions:
        chosen = next((c for c in question.choices if c.id == answers.get(question.id)), None)
        if chosen is None:
            missing.append(question.id)
        else:
            marked.append(MarkedQuestion(question, chosen, chosen.correct))
    if missing:
        raise IncompleteAnswers(missing)
    correct = sum(m.correct for m in marked)
    total = len(marked)
    score = (100 * correct) // total if total else 0
    return Grade(score, correct, total, pass_mark, tuple(marked))
