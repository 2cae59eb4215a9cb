"""A learner's place in a course, worked out from the lessons they have finished."""

from __future__ import annotations

from dataclasses import dataclass

from lms.domain.courses import Course, Lesson

NOT_STARTED = "not-started"
IN_PROGRESS = "in-progress"
LESSONS_DONE = "lessons-done"


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    completed: frozenset[str]  # ids of completed lessons that still exist in the course
    started: bool

    @property
    def done(self) -> int:
        return len(self.completed)

    @property
    def total(self) -> int:
        return len(self.course.lessons)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def state(self) -> str:
        if self.total and self.done == self.total:
            return LESSONS_DONE
        return IN_PROGRESS if self.started else NOT_STARTED

    @property
    def resume_lesson(self) -> Lesson:
        """The first lesson not yet finished, or the first lesson when all are."""
        for lesson in self.course.lessons:
            if lesson.id not in self.completed:
                return lesson
        return self.course.lessons[0]

    def is_complete(self, lesson_id: str) -> bool:
        return lesson_id in self.completed


def course_progress(course: Course, completed_ids, viewed_ids=()) -> CourseProgress:
    """Progress from stored lesson ids; ids of lessons removed from the course are ignored."""
    current = set(course.lesson_ids)
    completed = frozenset(set(completed_ids) & current)
    started = bool(completed or set(viewed_ids) & current)
    return CourseProgress(course, completed, started)
