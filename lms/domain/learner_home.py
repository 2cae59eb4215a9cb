"""What a learner's home page puts first: the course to continue, what is due soon, what is done.

Each section of the page has its own function; `plan_home` puts them together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lms.domain.assignments import COMPLETE, OVERDUE, Requirement, Standing, standing
from lms.domain.progress import CourseProgress

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


def plan_home(
    courses: Iterable,
    *,
    roles: frozenset[str],
    requirements: Mapping[str, Requirement],
    progress: Mapping[str, CourseProgress],
    completed_on: Mapping[str, date],
    last_activity: Mapping[str, datetime],
    today: date,
) -> Home:
    """The home page of a learner with these roles. courses: the catalog; requirements, progress,
    completed_on (the latest completion) and last_activity (the last time a lesson was opened or
    finished) are by course slug."""
    items = home_courses(courses, roles, requirements, progress, completed_on, today)
    open_items = [item for item in items if not item.finished]
    return Home(
        continue_with=continue_with(open_items, progress, last_activity),
        due_soon=due_soon(open_items, today),
        to_do=tuple(item for item in open_items if item.standing),
        offered=tuple(item for item in open_items if not item.standing),
        finished=finished(items),
    )


def home_courses(courses, roles, requirements, progress, completed_on, today) -> list[HomeCourse]:
    """The courses required of the learner (with where they stand), then those offered to their roles."""
    required, offered = [], []
    for course in courses:
        completed = completed_on.get(course.slug)
        if course.slug in requirements:
            status = standing(requirements[course.slug], completed, progress[course.slug].started, today)
            required.append(HomeCourse(course, status, completed))
        elif course.is_for(roles):
            offered.append(HomeCourse(course, None, completed))
    return required + offered


def continue_with(open_items, progress, last_activity) -> HomeCourse | None:
    """The started course the learner worked on last."""
    started = [item for item in open_items if progress[item.course.slug].started and item.course.slug in last_activity]
    return max(started, key=lambda item: last_activity[item.course.slug], default=None)


def due_soon(open_items, today: date) -> tuple[HomeCourse, ...]:
    """Required courses that are overdue or due within DUE_SOON_DAYS: overdue first, then by due date."""
    soon = today + timedelta(days=DUE_SOON_DAYS)
    due = [item for item in open_items if item.standing and item.standing.due_on]
    return tuple(
        sorted(
            (item for item in due if item.standing.state == OVERDUE or item.standing.due_on <= soon),
            key=lambda item: (item.standing.state != OVERDUE, item.standing.due_on),
        )
    )


def finished(items) -> tuple[HomeCourse, ...]:
    """The finished courses, newest first."""
    return tuple(sorted((item for item in items if item.finished), key=lambda item: item.completed_on, reverse=True))
