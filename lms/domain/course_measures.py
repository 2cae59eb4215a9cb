"""Numbers about a course: words, reading grade, estimated time, and how its check is built.

The quality rules judge these numbers and `flask courses report` prints them.
"""

from __future__ import annotations

import re

import textstat

from lms.domain.courses import QUESTION_KINDS, Course, Lesson, Question

WORDS_PER_MINUTE = 200
MINUTES_PER_QUESTION = 1
MINUTES_PER_REFLECTION = 2

WORD = re.compile(r"[A-Za-z0-9'’-]+")
# A whole parenthetical that carries a year, e.g. "(Almeida 2020, Work-life balance)".
CITED_PARENTHETICAL = re.compile(r"\s*\([^()]*\b(?:19|20)\d\d[^()]*\)")
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
MARKDOWN_MARKS = re.compile(r"[*_`>#|]")


def plain_text(prose: str) -> str:
    """Markdown prose as a reader hears it: link text kept, addresses and marks dropped."""
    return MARKDOWN_MARKS.sub("", MARKDOWN_LINK.sub(lambda m: m.group(1), prose))


def reading_grade(prose: str) -> float:
    """Flesch–Kincaid grade of prose, ignoring citations and Markdown marks."""
    text = CITED_PARENTHETICAL.sub("", plain_text(prose))
    return textstat.flesch_kincaid_grade(text) if text.strip() else 0.0


def word_count(prose: str) -> int:
    return len(WORD.findall(plain_text(prose)))


def words(prose: str) -> list[str]:
    """The words of prose, lower-cased and without citations, for finding repeated phrases."""
    return [word.lower() for word in WORD.findall(CITED_PARENTHETICAL.sub("", plain_text(prose)))]


def prose_words(course: Course) -> int:
    """Words a learner reads: the course.md welcome and every lesson."""
    return word_count(course.intro_prose) + sum(word_count(lesson.prose) for lesson in course.lessons)


def fewest_questions_served(course: Course) -> int:
    """The smallest check any of the course's audiences is served."""
    return min((len(course.questions_for([audience])) for audience in course.audiences), default=0)


def estimated_minutes(course: Course) -> float:
    """Reading at 200 words a minute, a minute per question served, two per lesson reflection."""
    reflections = sum(bool(lesson.reflection) for lesson in course.lessons)
    return (
        prose_words(course) / WORDS_PER_MINUTE
        + MINUTES_PER_QUESTION * fewest_questions_served(course)
        + MINUTES_PER_REFLECTION * reflections
    )


def lesson_estimated_minutes(lesson: Lesson) -> float:
    return word_count(lesson.prose) / WORDS_PER_MINUTE + (MINUTES_PER_REFLECTION if lesson.reflection else 0)


def correct_is_longest(question: Question) -> bool:
    """The correct choice is longer (in characters) than every other choice."""
    correct = next((c for c in question.choices if c.correct), None)
    others = [len(c.text) for c in question.choices if c is not correct]
    return correct is not None and all(len(correct.text) > length for length in others)


def longest_correct_share(course: Course) -> float:
    if not course.questions:
        return 0.0
    return sum(map(correct_is_longest, course.questions)) / len(course.questions)


def kind_counts(course: Course) -> dict[str, int]:
    counts = dict.fromkeys(QUESTION_KINDS, 0)
    for question in course.questions:
        if question.kind in counts:
            counts[question.kind] += 1
    return counts


def reading_grades(course: Course) -> list[float]:
    """The reading grade of the welcome text and of each lesson."""
    return [reading_grade(course.intro_prose), *(reading_grade(lesson.prose) for lesson in course.lessons)]
