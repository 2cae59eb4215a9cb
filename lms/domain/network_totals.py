"""A network's training totals: counts of people, never people, with small counts hidden.

The whole table is built once for the network and year (agency × course, agency × month and
course × month, with every total), hidden cells are chosen on that whole table, and a page or
CSV only picks rows out of it. One agency's one course is never shown month by month. So two filters show parts of the same table and cannot be subtracted to reveal
more than the table itself. The rule, in words (docs/networks.md says the same):

1. A figure built from fewer than MIN_PEOPLE people is not shown: "fewer than 5" (zero too,
   so "fewer than 5" never means "at least one").
2. No hidden figure can be worked out by adding and subtracting shown figures and totals.
   In a table with its totals that happens exactly when the hidden figure lies on no "cycle"
   of hidden figures (rows and columns as nodes, cells as edges); so while one does, a shown
   figure that closes such a cycle is hidden too ("hidden"), the smallest first. A total and
   its parts therefore never have exactly one hidden figure. A hidden zero counts as known:
   working it out names no one.
3. CE hours are hidden wherever the completions they come from are.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from lms.domain.assignments import OVERDUE, Person, Rule, requirements_for, standing
from lms.domain.spreadsheet import safe_row

MIN_PEOPLE = 5
ALL = None  # a total over a dimension, in a cell's key
SMALL, PROTECTED = "small", "protected"  # why a figure is hidden
HIDDEN_TEXT = {SMALL: "fewer than 5", PROTECTED: "hidden"}
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


@dataclass(frozen=True)
class CompletionFact:
    """Completions of one course by one person in one month (the person is an opaque number)."""

    person: int
    agency: int
    course: str
    month: int
    completions: int
    hours: float


@dataclass(frozen=True)
class RequirementFact:
    """One person required to take one course today, and whether they are overdue."""

    person: int
    agency: int
    course: str
    overdue: bool


@dataclass(frozen=True)
class Figure:
    value: float
    hidden: str | None = None  # SMALL, PROTECTED or None

    @property
    def shown(self) -> bool:
        return self.hidden is None

    @property
    def text(self) -> str:
        if self.hidden:
            return HIDDEN_TEXT[self.hidden]
        if isinstance(self.value, float):
            return f"{self.value:.2f}".rstrip("0").rstrip(".")
        return str(self.value)


@dataclass(frozen=True)
class Line:
    """One row of a table: a label and its figures (a figure is None where it does not apply)."""

    label: str
    assigned: Figure | None = None
    overdue: Figure | None = None
    completions: Figure | None = None
    hours: Figure | None = None
    is_total: bool = False


@dataclass(frozen=True)
class Report:
    year: int
    agency: int | None  # the filters: ALL or one agency id / course slug
    course: str | None
    by_agency: tuple[Line, ...]  # for the course filter; the network total last
    by_course: tuple[Line, ...]  # for the agency filter; every course last
    by_month: tuple[Line, ...]  # for one filter or none (empty with both); the year last


class Table:
    """One measure counted over some dimensions, with every total; the hidden cells chosen.

    Only planes are published: two dimensions crossed, any others at their total (for
    completions: agency × course, agency × month and course × month, never all three).
    """

    def __init__(self, domains: Sequence[Sequence], planes: Sequence[tuple[int, int]] = ((0, 1),)):
        self.domains = [list(domain) for domain in domains]
        self.planes = list(planes)
        self.values: dict[tuple, float] = {}
        self.people: dict[tuple, set[int]] = {}
        for key in itertools.product(*([*domain, ALL] for domain in self.domains)):
            self.values[key] = 0
            self.people[key] = set()
        self.hidden: dict[tuple, str] = {}

    def add(self, coordinates: tuple, person: int, value: float) -> None:
        """Count a fact in its cell and in every total above it."""
        if any(c not in domain for c, domain in zip(coordinates, self.domains)):
            return  # outside the table (a course not in the catalog, say)
        for mask in itertools.product((False, True), repeat=len(coordinates)):
            key = tuple(ALL if total else c for c, total in zip(coordinates, mask))
            self.values[key] += value
            self.people[key].add(person)

    def plane_cells(self, plane: tuple[int, int]) -> dict[tuple, tuple]:
        """{(row, column): key} of one published plane, totals included."""
        first, second = plane
        cells = {}
        for row in [*self.domains[first], ALL]:
            for column in [*self.domains[second], ALL]:
                key = [ALL] * len(self.domains)
                key[first], key[second] = row, column
                cells[(row, column)] = tuple(key)
        return cells

    def lines(self) -> list[list[tuple]]:
        """Every published total with the figures it adds up: [total, part, part, …]."""
        found = []
        for plane in self.planes:
            cells = self.plane_cells(plane)
            rows = [*self.domains[plane[0]], ALL]
            columns = [*self.domains[plane[1]], ALL]
            found += [[cells[(row, ALL)], *(cells[(row, c)] for c in columns[:-1])] for row in rows]
            found += [[cells[(ALL, column)], *(cells[(r, column)] for r in rows[:-1])] for column in columns]
        return found

    def choose_hidden(self) -> None:
        self.hidden = {key: SMALL for key, people in self.people.items() if len(people) < MIN_PEOPLE}
        # A hidden zero names no one: working it out is harmless, so it needs no protection.
        unknown = {key for key in self.hidden if self.people[key]}
        changed = True
        while changed:
            changed = False
            for plane in self.planes:
                while (pick := self._complement(self.plane_cells(plane), unknown)) is not None:
                    self.hidden.setdefault(pick, PROTECTED)
                    unknown.add(pick)
                    changed = True

    def _complement(self, cells: dict[tuple, tuple], unknown: set[tuple]) -> tuple | None:
        """A cell to hide so that a hidden figure of this plane can no longer be worked out, or None.

        A plane with its totals is a graph: a node per row and per column (totals too), an edge
        per cell. Subtraction fixes a hidden cell's value exactly when its edge is a bridge among
        the hidden edges (it lies on no cycle of hidden cells). Hiding a cell that joins the two
        sides of the bridge puts it on a cycle.
        """
        hidden_edges = [(("r", row), ("c", column), key) for (row, column), key in cells.items() if key in unknown]
        for bridge in _bridges(hidden_edges):
            side = _reachable(bridge[0], [edge for edge in hidden_edges if edge is not bridge])
            joining = [
                key for (row, column), key in cells.items() if key not in self.hidden and ((("r", row) in side) != (("c", column) in side))
            ]
            if joining:
                return min(joining, key=lambda key: (len(self.people[key]), self.values[key], repr(key)))
        return None

    def figure(self, key: tuple, rounding=None) -> Figure:
        value = self.values[key]
        return Figure(round(value, rounding) if rounding is not None else value, self.hidden.get(key))


def _bridges(edges):
    """The edges on no cycle (Tarjan's bridge-finding, on a multigraph given as (a, b, key))."""
    adjacent: dict = {}
    for index, (a, b, _) in enumerate(edges):
        adjacent.setdefault(a, []).append((b, index))
        adjacent.setdefault(b, []).append((a, index))
    order, low, found, counter = {}, {}, [], itertools.count()
    for root in adjacent:
        if root in order:
            continue
        order[root] = low[root] = next(counter)
        stack = [(root, None, iter(adjacent[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            for neighbour, index in neighbours:
                if index == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = next(counter)
                    stack.append((neighbour, index, iter(adjacent[neighbour])))
                    break
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.append(edges[via])
    return found


def _reachable(start, edges) -> set:
    adjacent: dict = {}
    for a, b, _ in edges:
        adjacent.setdefault(a, []).append(b)
        adjacent.setdefault(b, []).append(a)
    seen, todo = {start}, [start]
    while todo:
        for neighbour in adjacent.get(todo.pop(), ()):
            if neighbour not in seen:
                seen.add(neighbour)
                todo.append(neighbour)
    return seen


def requirement_facts(
    people: Iterable[tuple[int, Person]],
    rules_by_agency: dict[int, list[Rule]],
    completed_on: dict[tuple[int, str], date],
    courses: Sequence[str],
    today: date,
):
    """Who is required to take which course today and whether they are overdue, by the same
    rules as the agency's own report. people: (agency id, Person)."""
    wanted = set(courses)
    for agency, person in people:
        for slug, requirement in requirements_for(person, rules_by_agency.get(agency, ())).items():
            if slug in wanted:
                state = standing(requirement, completed_on.get((person.id, slug)), False, today).state
                yield RequirementFact(person.id, agency, slug, state == OVERDUE)


def build_report(
    *,
    agencies: Sequence[tuple[int, str]],
    courses: Sequence[tuple[str, str]],
    year: int,
    months: int,
    requirements: Iterable[RequirementFact],
    completions: Iterable[CompletionFact],
    agency: int | None = ALL,
    course: str | None = ALL,
) -> Report:
    """The network's tables for the year's first `months` months, cut by the filters.

    agencies: (id, name) of the member agencies; courses: (slug, title). A filter naming an
    agency or course outside these is treated as no filter.
    """
    agency_ids, slugs = [a for a, _ in agencies], [s for s, _ in courses]
    month_numbers = list(range(1, months + 1))
    agency = agency if agency in agency_ids else ALL
    course = course if course in slugs else ALL
    tables = _Tables.counted(agency_ids, slugs, month_numbers, requirements, completions)
    by_agency = [tables.line(name, a, course) for a, name in agencies] + [tables.line("All agencies", ALL, course, True)]
    by_course = [tables.line(title, agency, s) for s, title in courses] + [tables.line("All courses", agency, ALL, True)]
    by_month = []
    if agency is ALL or course is ALL:  # one agency's one course month by month is too fine: never published
        year_label = f"All of {year}" if months == 12 else f"{year} so far"
        by_month = [tables.month_line(MONTH_NAMES[m - 1], agency, course, m) for m in month_numbers]
        by_month.append(tables.month_line(year_label, agency, course, ALL, is_total=True))
    return Report(year, agency, course, tuple(by_agency), tuple(by_course), tuple(by_month))


@dataclass(frozen=True)
class _Tables:
    """The report's four measures, counted and with their hidden cells chosen."""

    assigned: Table  # agency × course
    overdue: Table  # agency × course
    completed: Table  # agency × course × month
    hours: Table  # agency × course × month, hidden where completed is

    @classmethod
    def counted(cls, agency_ids, slugs, month_numbers, requirements, completions) -> _Tables:
        assigned, overdue = Table([agency_ids, slugs]), Table([agency_ids, slugs])
        for fact in requirements:
            assigned.add((fact.agency, fact.course), fact.person, 1)
            if fact.overdue:
                overdue.add((fact.agency, fact.course), fact.person, 1)
        planes = ((0, 1), (0, 2), (1, 2))  # agency × course, agency × month, course × month
        completed, hours = (Table([agency_ids, slugs, month_numbers], planes) for _ in range(2))
        for fact in completions:
            completed.add((fact.agency, fact.course, fact.month), fact.person, fact.completions)
            hours.add((fact.agency, fact.course, fact.month), fact.person, float(fact.hours))
        for table in (assigned, overdue, completed):
            table.choose_hidden()
        hours.hidden = completed.hidden  # hours come from the same people as the completions
        return cls(assigned, overdue, completed, hours)

    def line(self, label: str, agency_key, course_key, is_total: bool = False) -> Line:
        """A row of the by-agency or by-course table: every figure, over the whole year so far."""
        return Line(
            label,
            self.assigned.figure((agency_key, course_key)),
            self.overdue.figure((agency_key, course_key)),
            self.completed.figure((agency_key, course_key, ALL)),
            self.hours.figure((agency_key, course_key, ALL), 2),
            is_total,
        )

    def month_line(self, label: str, agency_key, course_key, month, is_total: bool = False) -> Line:
        """A row of the by-month table: completions and hours only."""
        key = (agency_key, course_key, month)
        return Line(label, completions=self.completed.figure(key), hours=self.hours.figure(key, 2), is_total=is_total)


CSV_HEADER = ("table", "row", "people assigned", "people overdue", "completions", "CE hours")
TABLE_NAMES = {"by_agency": "by agency", "by_course": "by course", "by_month": "by month"}


def csv_rows(report: Report):
    """The report's three tables as rows, figures as the page shows them."""
    yield CSV_HEADER
    for attribute, name in TABLE_NAMES.items():
        for row in getattr(report, attribute):
            yield (name, row.label, *(figure.text if figure else "" for figure in (row.assigned, row.overdue, row.completions, row.hours)))


def csv_text(report: Report) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(safe_row(row) for row in csv_rows(report))
    return out.getvalue()
