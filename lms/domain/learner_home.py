"""What a learner's home page puts first: the course to continue, what is due soon, what is done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lms.domain.assignments import COMPLETE, OVERDUE, Standing

DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class HomeCourse:
    course: object  # lms.domain.courses.Course
    standing: Standing | None  # None when the course is offered but not required
    completed_on: date | None

    @property
    def finished(self) -> bool:
        return self.completed_on is not None and (self.standing is None or self.standing.state == COMPLETE)


@dataclass(frozen=True)
class Home:
    continue_with: HomeCourse | None
    due_soon: tuple[HomeCourse, ...]  # overdue first, then by due date
    to_do: tuple[HomeCourse, ...]  # required, not finished
    offered: tuple[HomeCourse, ...]  # not required, not finished
    finished: tuple[HomeCourse, ...]  # newest first


def plan_home(assigned, offered, progress_by_course, completed, activity: dict[str, datetime], today: date) -> Home:
    """assigned: [(course, standing)]; offered: [course]; completed: {slug: date}; activity: {slug: last touched}."""
    required = [HomeCourse(course, status, completed.get(course.slug)) for course, status in assigned]
    optional = [HomeCourse(course, None, completed.get(course.slug)) for course in offered]
    finished = sorted((item for item in required + optional if item.finished), key=lambda item: item.completed_on, reverse=True)
    open_items = [item for item in required + optional if not item.finished]
    started = [item for item in open_items if progress_by_course[item.course.slug].started and item.course.slug in activity]
    continue_with = max(started, key=lambda item: activity[item.course.slug], default=None)
    soon = today + timedelta(days=DUE_SOON_DAYS)
    due_soon = sorted(
        (
            item
            for item in open_items
            if item.standing and item.standing.due_on and (item.standing.state == OVERDUE or item.standing.due_on <= soon)
        ),
        key=lambda item: (item.standing.state != OVERDUE, item.standing.due_on),
    )
    return Home(
        continue_with,
        tuple(due_soon),
        tuple(item for item in open_items if item.standing),
        tuple(item for item in open_items if not item.standing),
        tuple(finished),
    )
