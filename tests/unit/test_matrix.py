"""The team × course matrix from plain values: which people and courses show, and how they count."""

from datetime import date, timedelta
from pathlib import Path

from lms.domain.assignments import COMPLETE, IN_PROGRESS, NOT_STARTED, OVERDUE, Person, Rule
from lms.domain.course_loader import load_catalog
from lms.domain.matrix import Filters, Member, build_matrix

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"
TODAY = date(2026, 11, 28)
NORTH, SOUTH = 1, 2


def member(user_id, name, team_id=NORTH, roles=("peer",)):
    person = Person(user_id, team_id, frozenset(roles), TODAY - timedelta(days=100))
    return Member(person, name, f"{name.lower()}@example.org", {NORTH: "North", SOUTH: "South"}[team_id])


MEMBERS = [member(1, "Ana"), member(2, "Ben"), member(3, "Cy", team_id=SOUTH), member(4, "Dee", roles=("clinician",))]
COURSES = list(load_catalog(FIXTURES))
RULES = [Rule(1, "starting-out", role="peer", due_on=TODAY - timedelta(days=1))]
PROGRESS = {(1, "starting-out"): (3, 3), (2, "starting-out"): (1, 1), (4, "team-orientation"): (1, 1)}
COMPLETIONS = {(1, "starting-out"): TODAY - timedelta(days=5)}


def matrix(filters=None, rules=RULES):
    return build_matrix(MEMBERS, COURSES, rules, PROGRESS, COMPLETIONS, TODAY, filters or Filters())


def states(result):
    return {row.name: [cell.standing.state for cell in row.cells] for row in result.rows}


def test_only_required_courses_show_and_count_by_default():
    result = matrix()
    assert [column.slug for column in result.columns] == ["starting-out"]
    assert states(result) == {"Ana": [COMPLETE], "Ben": [OVERDUE], "Cy": [OVERDUE], "Dee": [NOT_STARTED]}
    column = result.columns[0]
    assert (column.complete, column.overdue, column.counted) == (1, 2, 3)  # Dee is not required to take it
    assert result.summary[OVERDUE] == 2 and not result.nothing_required
    ana = result.rows[0]
    assert (ana.cells[0].done, ana.cells[0].total, ana.cells[0].required) == (3, 3, True)


def test_all_courses_shows_every_course_and_counts_them_all():
    result = matrix(Filters(all_courses=True))
    assert [column.slug for column in result.columns] == ["starting-out", "team-orientation"]
    assert states(result)["Dee"] == [NOT_STARTED, IN_PROGRESS]
    assert [column.counted for column in result.columns] == [4, 4]


def test_while_nothing_is_required_every_course_is_counted():
    result = matrix(rules=[])
    assert result.nothing_required and len(result.columns) == 2
    assert all(cell.counted for row in result.rows for cell in row.cells)


def test_team_and_course_filters_narrow_people_and_columns():
    assert [row.name for row in matrix(Filters(team_id=SOUTH)).rows] == ["Cy"]
    one_course = matrix(Filters(course_slug="team-orientation"))
    assert [column.slug for column in one_course.columns] == ["team-orientation"]
    assert states(one_course)["Dee"] == [IN_PROGRESS]
    assert one_course.columns[0].counted == 0  # shown on request, but nobody is required to take it


def test_state_and_overdue_filters_look_only_at_counted_courses():
    assert [row.name for row in matrix(Filters(state=COMPLETE)).rows] == ["Ana"]
    assert [row.name for row in matrix(Filters(overdue_only=True)).rows] == ["Ben", "Cy"]
    assert matrix(Filters(state=IN_PROGRESS)).rows == ()  # Dee's course is in progress but not counted
    assert matrix(Filters(course_slug="team-orientation", state=IN_PROGRESS)).rows == ()  # shown on request, still not counted
    assert [row.name for row in matrix(Filters(state=IN_PROGRESS, all_courses=True)).rows] == ["Dee"]
    assert matrix(Filters(state=COMPLETE, overdue_only=True)).rows == ()


def test_sort_orders():
    assert [row.name for row in matrix(Filters(sort="most-complete")).rows][0] == "Ana"
    assert [row.name for row in matrix(Filters(sort="most-overdue")).rows] == ["Ben", "Cy", "Ana", "Dee"]
