"""Every real course keeps the quality rules, so an edit that breaks one fails CI."""

import pytest

from lms.config import PROJECT_ROOT
from lms.domain.content_rules import quality_problems
from lms.domain.courses import load_catalog

COURSES_DIR = PROJECT_ROOT / "courses"
CATALOG = load_catalog(COURSES_DIR, root=PROJECT_ROOT)
EXPECTED = {
    "self-care", "vicarious-trauma", "boundaries", "working-with-clinicians",
    "peer-role-for-clinicians", "supervising-peers", "stigma-at-work",
}


def test_all_seven_courses_load_without_errors():
    assert CATALOG.problems == ()
    assert set(CATALOG.courses) == EXPECTED


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_course_meets_every_quality_rule(slug):
    course = CATALOG.get(slug)
    assert [str(p) for p in quality_problems(course)] == []
    assert course.references
    assert 4 <= len(course.objectives) <= 6 and 4 <= len(course.lessons) <= 6
    assert 8 <= len(course.questions) <= 12
    assert all(sum(c.correct for c in q.choices) == 1 and all(c.feedback for c in q.choices) for q in course.questions)


def test_role_card_is_shown_in_the_two_role_courses():
    for slug in ("working-with-clinicians", "peer-role-for-clinicians"):
        assert any(lesson.has_role_card for lesson in CATALOG.get(slug).lessons), slug


def test_self_care_course_defines_the_plan_sections():
    sections = [s.id for s in CATALOG.get("self-care").plan_sections]
    assert sections == ["warning-signs", "helps-at-work", "helps-outside-work", "people", "commitment"]


def test_clinicians_get_the_orientation_course():
    assert "clinician" in CATALOG.get("peer-role-for-clinicians").audiences


def test_the_rules_catch_a_bad_edit(tmp_path):
    import shutil

    shutil.copytree(COURSES_DIR / "self-care", tmp_path / "courses" / "self-care")
    lesson = next((tmp_path / "courses" / "self-care").glob("02-*.md"))
    lesson.write_text(
        lesson.read_text()
        + "\nThis course is accredited for CE credit.\n\nOne addict told us so.\n\n"
        + "Notwithstanding the considerable heterogeneity of organizational circumstances characterizing "
        "contemporary multidisciplinary integrated behavioral healthcare environments, practitioners "
        "invariably experience substantial occupational exhaustion necessitating comprehensive institutional "
        "accommodations and individualized psychological interventions. " * 20
    )
    course = load_catalog(tmp_path / "courses", root=tmp_path).get("self-care")
    messages = " | ".join(str(p) for p in quality_problems(course))
    assert "claims or suggests CE accreditation" in messages
    assert "'addict' is not person-first language" in messages
    assert "reading grade" in messages and "words of prose" in messages


def test_citations_do_not_count_toward_the_reading_grade():
    from lms.domain.course_measures import reading_grade

    plain = "Peers checked in on each other. Tired co-workers went home to rest."
    cited = "Peers checked in on each other (Almeida 2020, Work-life balance). Tired co-workers went home to rest."
    assert reading_grade(cited) == reading_grade(plain)
