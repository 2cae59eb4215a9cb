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


@dataclass(frozen=True)
class Row:
    user_id: int
    name: str
    email: str
    team_name: str
    cells: tuple[Cell, ...]

    @property
    def complete_count(self) -> int:
        return sum(cell.standing.state == COMPLETE for cell in self.cells)

    @property
    def overdue_count(self) -> int:
        return sum(cell.standing.state == OVERDUE for cell in self.cells)


@dataclass(frozen=True)
class Column:
    slug: str
    title: str
    complete: int
    overdue: int


@dataclass(frozen=True)
class Matrix:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Filters:
    team_id: int | None = None
    course_slug: str | None = None
    state: str | None = None
    overdue_only: bool = False
    sort: str = "name"  # name, most-complete, most-overdue

    @classmethod
    def from_args(cls, args, team_ids, course_slugs) -> Filters:
        """Read filters from a query string, ignoring anything not on offer."""
        team = args.get("team", "")
        team_id = int(team) if team.isdigit() and int(team) in team_ids else None
        course = args.get("course") if args.get("course") in course_slugs else None
        state = args.get("status") if args.get("status") in STATES else None
        sort = args.get("sort") if args.get("sort") in ("name", "most-complete", "most-overdue") else "name"
        return cls(team_id, course, state, args.get("overdue") == "1", sort)


@dataclass(frozen=True)
class Member:
    person: Person
    name: str
    email: str
    team_name: str


def build_matrix(members, courses, rules, progress, completions, today: date, filters: Filters) -> Matrix:
    """members: [Member]; courses: catalog courses; rules: [Rule];
    progress: {(user_id, slug): (lessons done, lessons opened)}; completions: {(user_id, slug): date}."""
    shown_courses = [c for c in courses if filters.course_slug in (None, c.slug)]
    rows = []
    for member in members:
        if filters.team_id is not None and member.person.team_id != filters.team_id:
            continue
        requirements = requirements_for(member.person, rules)
        cells = []
        for course in shown_courses:
            done, opened = progress.get((member.person.id, course.slug), (0, 0))
            requirement = requirements.get(course.slug)
            cells.append(
                Cell(
                    standing(requirement, completions.get((member.person.id, course.slug)), opened > 0, today),
                    requirement is not None,
                    done,
                    len(course.lessons),
                )
            )
        if filters.state and not any(cell.standing.state == filters.state for cell in cells):
            continue
        if filters.overdue_only and not any(cell.standing.state == OVERDUE for cell in cells):
            continue
        rows.append(Row(member.person.id, member.name, member.email, member.team_name, tuple(cells)))
    rows.sort(key=_sort_key(filters.sort))
    columns = tuple(
        Column(
            course.slug,
            course.title,
            sum(row.cells[i].standing.state == COMPLETE for row in rows),
            sum(row.cells[i].standing.state == OVERDUE for row in rows),
        )
        for i, course in enumerate(shown_courses)
    )
    return Matrix(columns, tuple(rows))


def _sort_key(sort: str):
    if sort == "most-complete":
        return lambda row: (-row.complete_count, row.name.lower())
    if sort == "most-overdue":
        return lambda row: (-row.overdue_count, row.name.lower())
    return lambda row: row.name.lower()
