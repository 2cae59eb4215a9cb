"""Every real course keeps the quality rules, so an edit that breaks one fails CI.

tests/unit/test_content_rules.py proves each rule on a copy of a fixture course.
"""

import pytest

from lms.config import PROJECT_ROOT
from lms.domain.content_rules import quality_problems
from lms.domain.course_loader import load_catalog
from lms.domain.course_report import report_table

COURSES_DIR = PROJECT_ROOT / "courses"
CATALOG = load_catalog(COURSES_DIR, root=PROJECT_ROOT)
EXPECTED = {
    "self-care",
    "vicarious-trauma",
    "boundaries",
    "working-with-clinicians",
    "peer-role-for-clinicians",
    "supervising-peers",
    "stigma-at-work",
    "building-peer-workforce",
}


def test_every_course_loads_without_errors():
    assert CATALOG.problems == ()
    assert set(CATALOG.courses) == EXPECTED


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_course_meets_every_quality_rule(slug):
    course = CATALOG.get(slug)
    assert [str(p) for p in quality_problems(course)] == []
    assert course.references
    assert 4 <= len(course.objectives) <= 6 and 4 <= len(course.lessons) <= 6
    assert 8 <= len(course.questions) <= 15
    assert all(sum(c.correct for c in q.choices) == 1 and all(c.feedback for c in q.choices) for q in course.questions)


def test_role_card_is_shown_in_the_two_role_courses():
    for slug in ("working-with-clinicians", "peer-role-for-clinicians"):
        assert any(lesson.has_role_card for lesson in CATALOG.get(slug).lessons), slug


def test_self_care_course_keeps_the_plan_sections_learners_have_written_in():
    sections = {s.id for s in CATALOG.get("self-care").plan_sections}
    assert {"warning-signs", "helps-at-work", "helps-outside-work", "people", "commitment"} <= sections


def test_clinicians_get_the_orientation_course():
    assert "clinician" in CATALOG.get("peer-role-for-clinicians").audiences


def test_citations_do_not_count_toward_the_reading_grade():
    from lms.domain.course_measures import reading_grade

    plain = "Peers checked in on each other. Tired co-workers went home to rest."
    cited = "Peers checked in on each other (Almeida 2020, Work-life balance). Tired co-workers went home to rest."
    assert reading_grade(cited) == reading_grade(plain)


def test_the_workforce_course_is_for_supervisors_and_admins():
    course = CATALOG.get("building-peer-workforce")
    assert course.title == "Building and keeping a peer workforce"
    assert set(course.audiences) == {"supervisor", "admin"}


def test_docs_table_is_the_current_course_report():
    docs = (PROJECT_ROOT / "docs" / "courses.md").read_text(encoding="utf-8")
    assert report_table(CATALOG).strip() in docs, "regenerate the table in docs/courses.md with `flask courses report`"
