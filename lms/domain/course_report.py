"""The Markdown table `flask courses report` prints for docs/courses.md: one row per course."""

from __future__ import annotations

from lms.domain.course_measures import (
    estimated_minutes,
    kind_counts,
    longest_correct_share,
    prose_words,
    reading_grades,
)
from lms.domain.courses import Course

HEADER = (
    "course",
    "for",
    "lessons",
    "words",
    "questions (applied / concept / recall)",
    "estimated minutes",
    "minutes",
    "ce_hours",
    "reading grade",
    "longest choice is correct",
)


def report_row(course: Course) -> tuple[str, ...]:
    kinds = kind_counts(course)
    grades = reading_grades(course)
    return (
        f"`{course.slug}`",
        ", ".join(course.audiences),
        str(len(course.lessons)),
        str(prose_words(course)),
        f"{len(course.questions)} ({kinds['applied']} / {kinds['concept']} / {kinds['recall']})",
        f"{estimated_minutes(course):.1f}",
        str(course.minutes),
        f"{course.ce_hours:g}",
        f"{min(grades):.1f}–{max(grades):.1f}",
        f"{longest_correct_share(course):.0%}",
    )


def report_table(courses) -> str:
    rows = [HEADER, tuple("---" for _ in HEADER), *(report_row(course) for course in courses)]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)
