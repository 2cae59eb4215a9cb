"""Network totals: small figures hidden, and no total that subtraction could open up."""

import csv
import io
import itertools
import random
from fractions import Fraction

import pytest

from lms.domain.bar_chart import horizontal_bars, nice_maximum
from lms.domain.network_totals import (
    ALL,
    MIN_PEOPLE,
    PROTECTED,
    SMALL,
    CompletionFact,
    RequirementFact,
    Table,
    build_report,
    csv_text,
)

AGENCIES = [(1, "Riverside"), (2, "Hillcrest"), (3, "Lakeside")]
COURSES = [("boundaries", "Boundaries"), ("self-care", "Self-care")]
people = itertools.count(1)


def completions(agency, course, month, how_many, hours=1.5):
    return [CompletionFact(next(people), agency, course, month, 1, hours) for _ in range(how_many)]


def requirements(agency, course, how_many, overdue=0):
    return [RequirementFact(next(people), agency, course, index < overdue) for index in range(how_many)]


def report(completion_facts=(), requirement_facts=(), **filters):
    return build_report(
        agencies=AGENCIES, courses=COURSES, year=2026, months=3, requirements=requirement_facts, completions=completion_facts, **filters
    )


def row(lines, label):
    return next(line for line in lines if line.label == label)


def test_a_figure_from_fewer_than_five_people_is_not_shown():
    facts = completions(1, "boundaries", 1, 4) + completions(2, "boundaries", 1, 5) + completions(3, "boundaries", 1, 9)
    result = report(facts, course="boundaries")
    riverside = row(result.by_agency, "Riverside")
    assert riverside.completions.text == "fewer than 5" and riverside.hours.text == "fewer than 5"
    assert "4" not in riverside.completions.text
    assert row(result.by_agency, "Lakeside").completions.text == "9"
    assert row(result.by_agency, "Lakeside").hours.text == "13.5"


def test_zero_is_hidden_too_so_fewer_than_five_never_means_at_least_one():
    result = report(requirement_facts=requirements(1, "boundaries", 8, overdue=0) + requirements(2, "boundaries", 8, overdue=3))
    assert row(result.by_agency, "Riverside").overdue.hidden == SMALL
    assert row(result.by_agency, "Hillcrest").overdue.hidden == SMALL


def test_a_pair_of_filters_whose_difference_is_one_person_cannot_both_be_exact():
    """All agencies (course filter only) minus each agency (agency filter) would reveal Riverside's one completion."""
    facts = completions(1, "boundaries", 2, 1) + completions(2, "boundaries", 2, 7) + completions(3, "boundaries", 2, 12)
    network_view = report(facts, course="boundaries")  # the "By agency" table with its network total
    shown = {}
    for agency_id, name in AGENCIES:  # one agency at a time: the "By course" table
        single = report(facts, agency=agency_id)
        shown[name] = row(single.by_course, "Boundaries").completions
        assert shown[name] == row(network_view.by_agency, name).completions  # filters cut one table
    total = row(network_view.by_agency, "All agencies").completions
    assert shown["Riverside"].hidden == SMALL
    others_exact = [figure for name, figure in shown.items() if name != "Riverside" and figure.shown]
    # Subtracting every exact agency figure from an exact total must not give Riverside's 1.
    assert not (total.shown and len(others_exact) == len(AGENCIES) - 1)
    assert shown["Hillcrest"].hidden == PROTECTED  # the next smallest is hidden to protect it
    assert total.text == "20" and shown["Lakeside"].text == "12"


def test_months_cannot_be_subtracted_from_the_year_either():
    facts = completions(2, "self-care", 1, 6) + completions(2, "self-care", 2, 2) + completions(2, "self-care", 3, 9)
    months = report(facts, agency=2).by_month
    hidden = [line.label for line in months if not line.completions.shown]
    assert "February" in hidden and len(hidden) >= 2


def test_one_agencys_one_course_is_never_shown_month_by_month():
    facts = completions(2, "self-care", 1, 6)
    assert report(facts, agency=2, course="self-care").by_month == ()
    assert report(facts, agency=2).by_month and report(facts, course="self-care").by_month


def test_the_month_table_ends_with_the_year_so_far_or_the_whole_year():
    facts = completions(1, "boundaries", 2, 6)
    months = report(facts, course="boundaries").by_month
    assert [(line.label, line.is_total) for line in months] == [
        ("January", False),
        ("February", False),
        ("March", False),
        ("2026 so far", True),
    ]
    assert (months[1].completions.text, months[1].hours.text, months[-1].completions.text) == ("6", "9", "6")
    assert months[0].assigned is None  # requirements are not counted month by month
    whole_year = build_report(agencies=AGENCIES, courses=COURSES, year=2026, months=12, requirements=(), completions=facts)
    assert whole_year.by_month[-1].label == "All of 2026" and len(whole_year.by_month) == 13


@pytest.mark.parametrize("seed", range(20))
def test_no_hidden_completion_figure_can_be_worked_out_from_the_published_planes(seed):
    chance = random.Random(seed)
    table = Table([[1, 2, 3], ["a", "b"], [1, 2, 3]], ((0, 1), (0, 2), (1, 2)))
    for key in itertools.product([1, 2, 3], ["a", "b"], [1, 2, 3]):
        for _ in range(chance.choice([0, 0, 1, 2, 4, 5, 6, 9, 15])):
            table.add(key, next(people), 1)
    table.choose_hidden()
    published = {key for line in table.lines() for key in line}
    for key in published:
        if key in table.hidden and table.people[key]:
            assert not determined(table, key, published), key


def table_with(counts):
    """A 2-D table (3 agencies × 2 courses) with the given number of people in each cell."""
    table = Table([[1, 2, 3], ["a", "b"]])
    for (agency, course), how_many in counts.items():
        for _ in range(how_many):
            table.add((agency, course), next(people), 1)
    table.choose_hidden()
    return table


@pytest.mark.parametrize("seed", range(40))
def test_no_total_and_its_parts_ever_have_exactly_one_hidden_figure(seed):
    chance = random.Random(seed)
    counts = {(a, c): chance.choice([0, 1, 2, 4, 5, 6, 9, 15, 40]) for a in (1, 2, 3) for c in ("a", "b")}
    table = table_with(counts)
    for line in table.lines():
        unknown = [key for key in line if key in table.hidden and table.people[key]]  # a hidden zero names no one
        assert len(unknown) != 1, (counts, line)
    for key, people_behind in table.people.items():
        if len(people_behind) < MIN_PEOPLE:
            assert table.hidden[key] == SMALL
    for key in table.hidden:
        if table.people[key]:
            assert not determined(table, key), (counts, key)


def rank(rows):
    """The rank of a matrix of Fractions (Gaussian elimination)."""
    rows = [list(r) for r in rows]
    found = 0
    for column in range(len(rows[0]) if rows else 0):
        pivot = next((i for i in range(found, len(rows)) if rows[i][column] != 0), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for i in range(len(rows)):
            if i != found and rows[i][column] != 0:
                factor = rows[i][column] / rows[found][column]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[found])]
        found += 1
    return found


def determined(table, target, published=None):
    """Whether the sums the tables show, with every shown figure known, fix the target's value.

    The unknowns: hidden figures of the published planes, and every cell that is never published."""
    published = published if published is not None else set(table.values)
    unknown = sorted(
        (key for key in table.values if (key in table.hidden and table.people[key]) or key not in published), key=repr
    )  # hidden zeros count as known
    index = {key: i for i, key in enumerate(unknown)}
    equations = []
    for total, *parts in table.lines():
        row = [Fraction(0)] * len(unknown)
        for key, sign in [(total, 1), *((part, -1) for part in parts)]:
            if key in index:
                row[index[key]] += sign
        if any(row):
            equations.append(row)
    target_row = [Fraction(int(key == target)) for key in unknown]
    return rank(equations + [target_row]) == rank(equations)


def test_brute_force_cannot_recover_a_single_person():
    counts = {(1, "a"): 1, (1, "b"): 9, (2, "a"): 7, (2, "b"): 8, (3, "a"): 12, (3, "b"): 6}
    table = table_with(counts)
    assert table.hidden[(1, "a")] == SMALL
    assert not determined(table, (1, "a"))
    assert all(not determined(table, key) for key in table.hidden if table.people[key])


def test_the_check_for_a_determined_figure_can_fail():
    """Without the second hidden figure, the lone small one is found by subtraction."""
    table = table_with({(1, "a"): 1, (1, "b"): 9, (2, "a"): 7, (2, "b"): 8, (3, "a"): 12, (3, "b"): 6})
    table.hidden = {(1, "a"): SMALL}
    assert determined(table, (1, "a"))


def test_the_csv_holds_exactly_the_tables_the_page_shows():
    facts = completions(1, "boundaries", 1, 6) + completions(2, "self-care", 2, 1)
    result = report(facts, requirements(3, "boundaries", 7, overdue=5))
    rows = list(csv.reader(io.StringIO(csv_text(result))))
    assert rows[0] == ["table", "row", "people assigned", "people overdue", "completions", "CE hours"]
    assert ["by agency", "Lakeside", "7", "5", "fewer than 5", "fewer than 5"] in rows
    assert len(rows) == 1 + len(result.by_agency) + len(result.by_course) + len(result.by_month)


def test_a_name_that_looks_like_a_formula_is_made_harmless_in_the_csv():
    result = build_report(agencies=[(1, '=HYPERLINK("x")')], courses=COURSES, year=2026, months=1, requirements=(), completions=())
    assert "'=HYPERLINK" in csv_text(result)


def test_bars_are_drawn_for_shown_figures_only():
    facts = completions(1, "boundaries", 1, 6) + completions(2, "boundaries", 1, 2) + completions(3, "boundaries", 1, 30)
    lines = report(facts, course="boundaries").by_agency[:-1]
    chart = horizontal_bars((line.label, line.completions) for line in lines)
    by_label = {bar.label: bar for bar in chart.bars}
    assert by_label["Hillcrest"].width == 0 and by_label["Hillcrest"].text == "fewer than 5"
    assert by_label["Lakeside"].width > 0 and by_label["Lakeside"].text == "30"
    assert chart.scale_max == nice_maximum(30) == 50


def test_filters_outside_the_network_are_ignored():
    result = report(completions(1, "boundaries", 1, 6), agency=99, course="not-a-course")
    assert result.agency is ALL and result.course is ALL
