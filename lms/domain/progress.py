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


# Where a learner stands in the whole course, not only its lessons.
CHECK_READY = "check-ready"
CHECK_FAILED = "check-failed"
EVALUATION_DUE = "evaluation-due"
COMPLETE = "complete"


def course_status(progress: CourseProgress, *, completed: bool, check_passed: bool, check_failed: bool, evaluated: bool) -> str:
    """One of the states the course page shows, in the order a learner meets them."""
    if completed:
        return COMPLETE
    if progress.state != LESSONS_DONE:
        return progress.state
    course = progress.course
    if course.questions and not check_passed:
        return CHECK_FAILED if check_failed else CHECK_READY
    if course.requires_evaluation and not evaluated:
        return EVALUATION_DUE
    return COMPLETE


def is_course_done(progress: CourseProgress, *, check_passed: bool, evaluated: bool) -> bool:
    """Every lesson done, the check passed (if the course has one), the evaluation in (if required)."""
    return course_status(progress, completed=False, check_passed=check_passed, check_failed=False, evaluated=evaluated) == COMPLETE
