"""The supervisor's team × course matrix, built from a few query results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lms.domain.assignments import COMPLETE, OVERDUE, STATES, Person, Standing, requirements_for, standing


@dataclass(frozen=True)
class Cell:
    standing: Standing
    required: bool
    done: int
    total: int
    counted: bool = True  # in the counts and the status filter: required, unless all courses are asked for


@dataclass(frozen=True)
class Row:
    user_id: int
    name: str
    email: str
    team_name: str
    cells: tuple[Cell, ...]

    @property
    def counted_cells(self) -> tuple[Cell, ...]:
        return tuple(cell for cell in self.cells if cell.counted)

    @property
    def complete_count(self) -> int:
        return sum(cell.standing.state == COMPLETE for cell in self.counted_cells)

    @property
    def overdue_count(self) -> int:
        return sum(cell.standing.state == OVERDUE for cell in self.counted_cells)


@dataclass(frozen=True)
class Column:
    slug: str
    title: str
    complete: int
    overdue: int
    counted: int  # people this course counts for


@dataclass(frozen=True)
class Matrix:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    nothing_required: bool = False  # no one shown has required training: every course is counted

    @property
    def summary(self) -> dict[str, int]:
        """How many counted person-course cells are in each state."""
        totals = dict.fromkeys(STATES, 0)
        for row in self.rows:
            for cell in row.counted_cells:
                totals[cell.standing.state] += 1
        return totals


@dataclass(frozen=True)
class Filters:
    team_id: int | None = None
    course_slug: str | None = None
    state: str | None = None
    overdue_only: bool = False
    sort: str = "name"  # name, most-complete, most-overdue
    all_courses: bool = False  # count courses nobody is required to take, too

    @classmethod
    def from_args(cls, args, team_ids, course_slugs) -> Filters:
        """Read filters from a query string, ignoring anything not on offer."""
        team = args.get("team", "")
        team_id = int(team) if team.isdigit() and int(team) in team_ids else None
        course = args.get("course") if args.get("course") in course_slugs else None
        state = args.get("status") if args.get("status") in STATES else None
        sort = args.get("sort") if args.get("sort") in ("name", "most-complete", "most-overdue") else "name"
        return cls(team_id, course, state, args.get("overdue") == "1", sort, args.get("all") == "1")

    @property
    def narrowed(self) -> bool:
        """Anything chosen that can hide people."""
        return bool(self.team_id or self.course_slug or self.state or self.overdue_only)


@dataclass(frozen=True)
class Member:
    person: Person
    name: str
    email: str
    team_name: str


def build_matrix(members, courses, rules, progress, completions, today: date, filters: Filters) -> Matrix:
    """members: [Member]; courses: catalog courses; rules: [Rule];
    progress: {(user_id, slug): (lessons done, lessons opened)}; completions: {(user_id, slug): date}."""
    members = [m for m in members if filters.team_id is None or m.person.team_id == filters.team_id]
    requirements_by_person = {member.person.id: requirements_for(member.person, rules) for member in members}
    required_anywhere = {slug for requirements in requirements_by_person.values() for slug in requirements}
    # By default only required training is shown and counted; every course while nothing is required.
    every_course = filters.all_courses or not required_anywhere
    shown_courses = _shown_courses(courses, filters, every_course, required_anywhere)
    rows = []
    for member in members:
        requirements = requirements_by_person[member.person.id]
        cells = tuple(
            _cell(member.person.id, course, requirements.get(course.slug), progress, completions, today, every_course)
            for course in shown_courses
        )
        if _passes_state_filters(cells, filters):
            rows.append(Row(member.person.id, member.name, member.email, member.team_name, cells))
    rows.sort(key=_sort_key(filters.sort))
    columns = tuple(_column(course, index, rows) for index, course in enumerate(shown_courses))
    return Matrix(columns, tuple(rows), nothing_required=not required_anywhere)


def _shown_courses(courses, filters: Filters, every_course: bool, required_anywhere: set[str]) -> list:
    """The one course asked for, else every course or only the required ones."""
    if filters.course_slug is not None:
        return [course for course in courses if course.slug == filters.course_slug]
    return [course for course in courses if every_course or course.slug in required_anywhere]


def _cell(user_id: int, course, requirement, progress, completions, today: date, every_course: bool) -> Cell:
    done, opened = progress.get((user_id, course.slug), (0, 0))
    return Cell(
        standing(requirement, completions.get((user_id, course.slug)), opened > 0, today),
        requirement is not None,
        done,
        len(course.lessons),
        counted=every_course or requirement is not None,
    )


def _passes_state_filters(cells: tuple[Cell, ...], filters: Filters) -> bool:
    """A person is shown when a counted course is in the state asked for (and overdue, if asked)."""
    states = {cell.standing.state for cell in cells if cell.counted}
    if filters.state and filters.state not in states:
        return False
    return not (filters.overdue_only and OVERDUE not in states)


def _column(course, index: int, rows: list[Row]) -> Column:
    counted = [row.cells[index] for row in rows if row.cells[index].counted]
    return Column(
        course.slug,
        course.title,
        sum(cell.standing.state == COMPLETE for cell in counted),
        sum(cell.standing.state == OVERDUE for cell in counted),
        len(counted),
    )


def _sort_key(sort: str):
    if sort == "most-complete":
        return lambda row: (-row.complete_count, row.name.lower())
    if sort == "most-overdue":
        return lambda row: (-row.overdue_count, row.name.lower())
    return lambda row: row.name.lower()
