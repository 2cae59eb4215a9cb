"""The course loader and validator, without Flask."""

import datetime
import shutil
from pathlib import Path

import pytest

from lms.domain import markdown
from lms.domain.course_loader import load_catalog
from lms.domain.courses import ERROR, Contributor
from lms.domain.markdown import ROLE_CARD_MARKER

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"


@pytest.fixture
def courses_copy(tmp_path):
    target = tmp_path / "courses"
    shutil.copytree(FIXTURES, target)
    return target


def test_loads_courses_with_lessons_in_order():
    catalog = load_catalog(FIXTURES)
    assert catalog.problems == ()
    course = catalog.get("starting-out")
    assert course.title == "Starting out as a peer"
    assert course.lesson_ids == ("welcome", "listening", "supervision")
    assert [o.id for o in course.objectives] == ["O1", "O2"]
    assert course.ce_hours == 0.5 and course.minutes == 30
    assert course.ce_categories == {"ethics": 0.5}
    assert load_catalog(FIXTURES).get("team-orientation").ce_categories == {}
    assert course.pass_mark is None and course.requires_evaluation is True
    assert [s.id for s in course.plan_sections] == ["warning-signs", "commitment"]
    assert [(q.id, q.kind, q.audiences, q.line) for q in course.questions] == [
        ("q1", "concept", (), 2),
        ("q2", "applied", (), 14),
        ("q3", "applied", ("supervisor",), 26),
    ]
    assert [c.correct for c in course.questions[1].choices] == [False, True, False]


def test_keeps_the_continuing_education_facts():
    course = load_catalog(FIXTURES).get("starting-out")
    assert course.authors == (Contributor("Common Ground course team", "Course writers working from the cited sources"),)
    assert [r.name for r in course.reviewers] == ["Common Ground content review"]
    assert course.last_reviewed == datetime.date(2026, 11, 28)
    assert course.conflict_of_interest == "None known."
    assert course.delivery_format == "self-paced online"
    assert course.further_sources == (
        "988 Suicide & Crisis Lifeline. (2024). Talk to someone now. https://988lifeline.org/talk-to-someone-now/",
    )
    assert course.line_of("last_reviewed") == 22


def test_missing_continuing_education_facts_do_not_stop_a_course():
    course = load_catalog(FIXTURES).get("team-orientation")
    assert (course.authors, course.reviewers, course.last_reviewed, course.further_sources) == ((), (), None, None)
    assert course.conflict_of_interest == course.delivery_format == ""


def test_questions_with_audiences_are_served_only_to_those_roles():
    course = load_catalog(FIXTURES).get("starting-out")
    served = lambda *roles: [q.id for q in course.questions_for(roles)]  # noqa: E731
    assert served("peer") == ["q1", "q2"]
    assert served("supervisor") == served("peer", "supervisor") == ["q1", "q2", "q3"]
    # Outside the course's audiences (an admin trying it out): the whole check.
    assert served("admin") == ["q1", "q2", "q3"]


def test_links_between_lessons_point_at_lesson_pages():
    course = load_catalog(FIXTURES).get("starting-out")
    assert 'href="listening"' in course.lesson("welcome").html
    assert 'href="welcome#why-peers-matter"' in course.lesson("listening").html
    assert 'href="lessons/welcome"' in course.intro_html


def test_role_card_placeholder_is_kept_for_the_page():
    course = load_catalog(FIXTURES).get("starting-out")
    assert course.lesson("listening").has_role_card
    assert ROLE_CARD_MARKER in course.lesson("listening").html
    assert not course.lesson("welcome").has_role_card


def test_neighbours():
    course = load_catalog(FIXTURES).get("starting-out")
    before, after = course.neighbours("listening")
    assert (before.id, after.id) == ("welcome", "supervision")
    assert course.neighbours("welcome")[0] is None
    assert course.neighbours("supervision")[1] is None


def test_version_changes_when_content_changes(courses_copy):
    before = load_catalog(courses_copy).get("starting-out").version
    lesson = courses_copy / "starting-out" / "01-welcome.md"
    lesson.write_text(lesson.read_text() + "\nOne more line.\n")
    after = load_catalog(courses_copy).get("starting-out").version
    assert before != after
    assert load_catalog(courses_copy).get("team-orientation").version == load_catalog(FIXTURES).get("team-orientation").version


def _break(courses_copy, file, old, new):
    path = courses_copy / "starting-out" / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    "file, old, new, line, message",
    [
        ("course.md", "minutes: 30", "minutes: [30", 6, "bad YAML"),
        ("course.md", "title: Starting out as a peer\n", "", 2, "missing title"),
        ("course.md", "audiences: [peer, supervisor]", "audiences: [peer, wizard]", 4, "unknown audience 'wizard'"),
        ("03-supervision.md", "order: 3", "order: 2", 2, "duplicate lesson order 2"),
        ("02-listening.md", "(01-welcome.md#why-peers-matter)", "(09-missing.md)", 17, "broken link"),
        ("01-welcome.md", "## Why peers matter", "<div onclick='x()'>Hi</div>", 9, "raw HTML"),
        (
            "check.yaml",
            "        correct: true\n        feedback: Yes. Supervision",
            "        feedback: Yes. Supervision",
            14,
            "exactly one correct choice",
        ),
        ("check.yaml", "objective: O2", "objective: O9", 15, "unknown objective 'O9'"),
        ("check.yaml", "feedback: No. Medication is not part of the peer role.", "", 10, "missing question q1 choice feedback"),
        ("check.yaml", "kind: applied", "kind: scenario", 16, "question q2: kind must be one of applied, concept, recall"),
        (
            "check.yaml",
            "audiences: [supervisor]",
            "audiences: [admin]",
            29,
            "question q3: audiences must list roles of this course (peer, supervisor)",
        ),
        ("course.md", "last_reviewed: 2026-11-28", "last_reviewed: last autumn", 22, "last_reviewed must be a date"),
        (
            "course.md",
            "    credentials: Course writers working from the cited sources\n",
            "",
            16,
            "authors must be a list of people, each with a name and credentials",
        ),
        (
            "course.md",
            'further_sources:\n  - "988',
            'further_sources: 988\n  - "988',
            14,
            "further_sources must be a list of full references",
        ),
        (
            "course.md",
            "ce_categories: {ethics: 0.5}",
            "ce_categories: {ethics: 0.5, law: 0.25}",
            25,
            "ce_categories: the categories add up to more than the 0.5 hours",
        ),
        (
            "course.md",
            "ce_categories: {ethics: 0.5}",
            "ce_categories: {Ethics: 0.5}",
            25,
            "ce_categories: category 'Ethics' must be lowercase words",
        ),
        (
            "course.md",
            "ce_categories: {ethics: 0.5}",
            "ce_categories: [ethics]",
            25,
            "ce_categories: categories must map each category to its hours",
        ),
        ("02-listening.md", "> [!key-point]", "> [!warning]", 19, "unknown callout '[!warning]'"),
        ("01-welcome.md", "objectives: [O1]", "objectives: [O7]", 1, "lesson names unknown objective 'O7'"),
        ("course.md", "minutes: 30", "minutes: 30\npass_mark: 40", 6, "pass_mark must be a whole number from 50 to 100"),
        ("course.md", "minutes: 30", "minutes: 30\nvalid_for_months: 0", 6, "valid_for_months must be a whole number from 1 to 120"),
        ("course.md", "minutes: 30", "minutes: 30\nrequires_evaluation: maybe", 6, "requires_evaluation must be true or false"),
        ("course.md", "minutes: 30", "minutes: 30\nrequires: [Self Care]", 6, "requires must be a list of course slugs"),
    ],
)
def test_problems_name_the_file_and_line(courses_copy, file, old, new, line, message):
    _break(courses_copy, file, old, new)
    catalog = load_catalog(courses_copy)
    problems = [p for p in catalog.problems if p.severity == ERROR]
    assert problems, "the broken file was not reported"
    rendered = [str(p) for p in problems]
    expected_path = f"courses/starting-out/{file}"
    assert any(r.startswith(f"{expected_path}:{line}: ") and message in r for r in rendered), rendered
    # The broken course is not served; the other course still is.
    assert "starting-out" in catalog.broken
    assert catalog.get("starting-out") is None
    assert catalog.get("team-orientation") is not None


def test_optional_settings_are_kept_when_given(courses_copy):
    _break(
        courses_copy,
        "course.md",
        "minutes: 30",
        "minutes: 30\npass_mark: 80\nvalid_for_months: 24\nrequires_evaluation: false\nrequires: [team-orientation]",
    )
    course = load_catalog(courses_copy).get("starting-out")
    assert (course.pass_mark, course.valid_for_months, course.requires_evaluation, course.requires) == (
        80,
        24,
        False,
        ("team-orientation",),
    )


def test_a_course_without_lessons_is_reported(courses_copy):
    for lesson in (courses_copy / "starting-out").glob("0*.md"):
        lesson.unlink()
    catalog = load_catalog(courses_copy)
    assert "courses/starting-out/course.md:1: the course has no lesson files (NN-name.md)" in [str(p) for p in catalog.problems]
    assert "starting-out" in catalog.broken


def test_missing_course_file_and_bad_folder_name(courses_copy):
    (courses_copy / "starting-out" / "course.md").unlink()
    (courses_copy / "Bad_Name").mkdir()
    catalog = load_catalog(courses_copy)
    messages = [str(p) for p in catalog.problems]
    assert "courses/starting-out/course.md:1: missing course.md" in messages
    assert any(m.startswith("courses/Bad_Name:1:") for m in messages)
    assert list(catalog.courses) == ["team-orientation"]


def test_markdown_is_sanitized():
    rendered = markdown.render("<script>alert(1)</script>\n\n[click](javascript:alert(1)) <img src=x onerror=y>")
    assert "<script" not in rendered.html and 'href="javascript' not in rendered.html
    assert "<img" not in rendered.html and "onerror" not in rendered.html
    assert [line for line, _ in rendered.issues] == [1, 3]


def test_markdown_records_headings_and_prose_but_not_agency_blocks():
    rendered = markdown.render("# Title\n\nOur words.\n\n## Next step\n\n[[agency:crisis-steps]]\n\n- A list item\n")
    assert rendered.headings == [(1, 1, "Title"), (5, 2, "Next step")]
    assert rendered.issues == [(1, "use '##' headings: the page title is the only '#' heading")]
    assert rendered.paragraphs == [(3, "Our words."), (9, "A list item")]
    assert rendered.prose == "Our words.\nA list item"
    assert markdown.blocks_in(rendered.html) == ("crisis-steps",)


def test_relative_links_that_are_not_lessons_are_reported(courses_copy):
    _break(courses_copy, "01-welcome.md", "Read on in", "[notes](../secret.txt) Read on in")
    assert any("must be a lesson file" in str(p) for p in load_catalog(courses_copy).problems)


def test_callouts_become_labelled_boxes():
    html = load_catalog(FIXTURES).get("starting-out").lesson("listening").html
    assert '<div class="callout callout-key-point" role="note">' in html
    assert '<p class="callout-title">Key point</p>' in html and "Listen first. Talk later." in html
    assert "[!key-point]" not in html
    rendered = markdown.render("> [!Try this]\n> Ask one open question.\n\n> [!content-note]\n>\n> This lesson talks about suicide.")
    assert rendered.issues == []
    assert "Try this</p>" in rendered.html and "Content note</p>" in rendered.html and "talks about suicide" in rendered.html


def test_only_callout_classes_survive_the_sanitizer():
    rendered = markdown.render('Text <div class="evil" role="alert" onclick="x()">Hi</div>')
    assert "evil" not in rendered.html and "onclick" not in rendered.html and 'role="alert"' not in rendered.html
