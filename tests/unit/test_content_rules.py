"""Each quality rule, proven on a copy of a complete course broken in exactly one way."""

import shutil
from pathlib import Path

import pytest

from lms.domain.content_rules import quality_problems
from lms.domain.course_loader import load_catalog

COMPLETE_COURSE = Path(__file__).resolve().parent.parent / "fixtures" / "complete-courses" / "making-supervision-work"
COURSE = "courses/making-supervision-work"
LESSON_1 = "01-what-supervision-is-for.md"
LESSON_2 = "02-getting-ready.md"
LESSON_3 = "03-asking-right-away.md"
LESSON_4 = "04-asking-for-what-you-need.md"
# Three plain sentences that together lift a short text to about grade 9.6.
HARDER_SENTENCES = (
    "Supervisors without lived experience sometimes interpret informal, relationship-centered peer activities"
    " through the vocabulary of clinical assessment and treatment planning. Supervision also gives you a regular"
    " opportunity to reflect on difficult conversations with the people you support. Your supervisor can explain"
    " agency procedures, documentation expectations and professional boundaries in practical terms.\n\n"
)


def problems_after(tmp_path, *edits):
    """The quality problems of a copy of the complete course with each (file, old, new) edit made once."""
    folder = tmp_path / COURSE
    shutil.copytree(COMPLETE_COURSE, folder)
    for file, old, new in edits:
        path = folder / file
        text = path.read_text()
        assert old in text, f"{file} has no {old!r}"
        path.write_text(text.replace(old, new, 1))
    catalog = load_catalog(folder.parent, root=tmp_path)
    assert catalog.problems == ()
    return [str(problem) for problem in quality_problems(catalog.get(folder.name))]


def lesson_body(file: str) -> str:
    return (COMPLETE_COURSE / file).read_text().split("---\n", 2)[2]


def test_the_complete_course_keeps_every_rule(tmp_path):
    assert problems_after(tmp_path) == []


# Each break leads to exactly the problem listed, and to nothing else.
@pytest.mark.parametrize(
    "edits, problem",
    [
        pytest.param(
            [("course.md", "delivery_format: self-paced online\n", "")],
            "course.md:1: missing delivery_format: how the course is delivered, e.g. self-paced online",
            id="delivery format missing",
        ),
        pytest.param(
            [("course.md", "last_reviewed: 2026-11-28\n", "")],
            "course.md:1: missing last_reviewed: the date of the last review, like 2026-11-28",
            id="review date missing",
        ),
        pytest.param(
            [("course.md", "conflict_of_interest: None known.", "conflict_of_interest: ''\nx: None known.")],
            "course.md:27: missing conflict_of_interest: the conflict-of-interest disclosure",
            id="disclosure empty",
        ),
        pytest.param(
            [("course.md", "authors:\n  - name: Common Ground course team\n", "authors: []\nx:\n  - name: Common Ground course team\n")],
            "course.md:20: missing authors: list each author with name and credentials",
            id="authors empty",
        ),
        pytest.param(
            [("course.md", "reviewers:\n", "former_reviewers:\n")],
            "course.md:1: missing reviewers: list each reviewer with name and credentials",
            id="reviewers missing",
        ),
        pytest.param(
            [("course.md", "further_sources: []\n", "")],
            "course.md:1: missing further_sources: general-practice sources the course cites; write [] when there are none",
            id="further sources missing",
        ),
        pytest.param(
            [("course.md", ", or chat at 988lifeline.org,", ",")],
            "course.md:44: tell learners where to turn (supervisor, EAP, 988 Lifeline): missing chat at 988lifeline.org",
            id="no 988 chat",
        ),
        pytest.param(
            [("course.md", "Veterans and service members can press 1 after dialing 988 to\nreach the Veterans Crisis Line.", "")],
            "course.md:44: tell learners where to turn (supervisor, EAP, 988 Lifeline): missing Veterans press 1 after dialing 988",
            id="no Veterans line",
        ),
        pytest.param(
            [("course.md", "minutes: 30", "minutes: 35")],
            "course.md:5: minutes 35 is above the estimate (2119 words / 200 + 13 questions + 2 x 4 reflections = 31.6 minutes)",
            id="minutes above the estimate",
        ),
        pytest.param(
            [("course.md", "ce_hours: 0.5", "ce_hours: 0.75")],
            "course.md:6: ce_hours 0.75 is above the estimate (2119 words / 200 + 13 questions + 2 x 4 reflections"
            " = 31.6 minutes = 0.53 hours)",
            id="hours above the estimate",
        ),
        pytest.param(
            [("course.md", "ce_hours: 0.5", "ce_hours: 0.52")],
            "course.md:6: ce_hours must be 0.5 to 1.5 in steps of 0.25, not 0.52",
            id="hours not in quarter hours",
        ),
        pytest.param(
            [("course.md", "minutes: 30", "minutes: 10")],
            "course.md:6: ce_hours 0.5 does not match 10 minutes (within 0.25 hours)",
            id="hours far from minutes",
        ),
        pytest.param(
            [(LESSON_1, "minutes: 5", "minutes: 6")],
            f"{LESSON_1}:5: minutes 6 is above the estimate (487 words / 200 + 2 for the reflection = 4.4)",
            id="lesson minutes above its estimate",
        ),
        pytest.param(
            [(LESSON_1, "Go on to [getting ready", lesson_body(LESSON_2) + lesson_body(LESSON_3) + "\nGo on to [getting ready")],
            f"{LESSON_1}:1: lesson has 1465 words of prose; write 400 to 1300",
            id="lesson too long",
        ),
        pytest.param(
            [("course.md", "## How the course works\n\n", "## How the course works\n\n" + HARDER_SENTENCES)],
            "course.md:37: reading grade 9.6 is above 8.9 (this paragraph: 18.1); use shorter sentences and plainer words",
            id="welcome too hard for peers",
        ),
        pytest.param(
            [
                (
                    "course.md",
                    "Welcome to this short course about supervision, the regular time you spend with a\n"
                    "supervisor talking through your work, your questions and your professional growth.",
                    "Hi. Read this. It is short. Go slow. Take notes. Ask us. We help. Be kind. Rest well. Come back.",
                )
            ],
            "course.md:30: reading grade 5.8 is below 6.0 (this paragraph: 4.4); join short, choppy sentences",
            id="welcome too choppy",
        ),
        pytest.param(
            [
                (LESSON_2, "matter most", "matter most. Your supervisor is there to help you grow in the role"),
                (
                    LESSON_3,
                    "Not everything can wait\n\n",
                    "Not everything can wait\n\nYour supervisor is there to help you grow in the role. ",
                ),
                (LESSON_4, "Above all, keep", "Your supervisor is there to help you grow in the role. Above all, keep"),
            ],
            f"{LESSON_2}:44: 'your supervisor is there to help you grow' is used 3 times in this course"
            f" (also {LESSON_3}:11, {LESSON_4}:52); say it once or in new words",
            id="stock phrase",
        ),
        pytest.param(
            [(LESSON_4, "(Almeida et al. 2020, Hiring)", "(Almeida et al. 2020, Hiring; Smith 2019)")],
            f"{LESSON_4}:34: (Smith 2019) matches no entry in references or further_sources (name and year)",
            id="citation of an unlisted author",
        ),
        pytest.param(
            [(LESSON_3, "(Scannell 2021, Supervision)", "(Scannell 2020, Supervision)")],
            f"{LESSON_3}:15: (Scannell 2020) matches no entry in references or further_sources (name and year)",
            id="citation with the wrong year",
        ),
        pytest.param(
            [(LESSON_4, "Not every peer worker", "Scannell (2012) found that not every peer worker")],
            f"{LESSON_4}:11: (Scannell 2012) matches no entry in references or further_sources (name and year)",
            id="narrative citation with the wrong year",
        ),
        pytest.param(
            [
                (
                    "course.md",
                    "further_sources: []",
                    'further_sources:\n  - "World Health Organization (WHO). (2013). Guidelines for the'
                    ' management of conditions specifically related to stress. https://www.who.int/publications/i/item/9789241505406"',
                )
            ],
            "course.md:19: further_sources entry 'World Health Organization (WHO). (2013). Guideline…' is never cited in the course",
            id="source never cited",
        ),
        pytest.param(
            [
                (
                    "check.yaml",
                    "  - id: q15\n",
                    "  - id: q16\n    objective: O2\n    kind: applied\n    prompt: Which is better?\n"
                    "    choices:\n      - text: Ask early.\n        correct: true\n        feedback: Yes.\n      - text: Wait.\n"
                    "        feedback: No.\n      - text: Guess.\n        feedback: No.\n  - id: q15\n",
                )
            ],
            "check.yaml:1: a check has 8 to 15 questions, not 16",
            id="too many questions",
        ),
        pytest.param(
            [
                ("check.yaml", "    kind: applied\n    prompt: A visit went well", "    kind: concept\n    prompt: A visit went well"),
                ("check.yaml", "    kind: applied\n    prompt: You have three", "    kind: concept\n    prompt: You have three"),
                ("check.yaml", "    kind: applied\n    prompt: After a meeting", "    kind: recall\n    prompt: After a meeting"),
            ],
            "check.yaml:1: 9 of 15 questions are applied; at least two thirds must be (kind: applied)",
            id="too few applied questions",
        ),
        pytest.param(
            [("check.yaml", "    kind: applied\n    prompt: A visit went well", "    prompt: A visit went well")],
            "check.yaml:14: question q2 needs a kind: applied, concept, recall",
            id="question without a kind",
        ),
        pytest.param(
            [
                (
                    "check.yaml",
                    "Mention it briefly, as good news helps you notice your own skills.",
                    "Mention it briefly, as good news helps you notice your own skills and strengths.",
                ),
                (
                    "check.yaml",
                    "Tell your supervisor, talk about the work side, and ask about the EAP.",
                    "Tell your supervisor, talk about the work side, and ask about the EAP and other help.",
                ),
            ],
            "check.yaml:14: the correct choice is the longest in 6 of 15 questions (q2, q3, q6, q8, q13, q15); at most 35% may be",
            id="longest choice is the answer",
        ),
        pytest.param(
            [
                ("check.yaml", "learn from hard days", "learn from all hard days"),
                ("check.yaml", "The one that matters most to", "The one that must come first for"),
                ("check.yaml", "follow your agency's policy.", "follow all agency policy."),
                ("check.yaml", "while things are calm", "while all is calm"),
            ],
            "check.yaml:1: absolute words (never, always, only, all, every, none, nothing, no one, nobody, everyone, everything,"
            " completely, must) are in 27% of correct choices and 0% of wrong ones; the difference may be at most 20%",
            id="absolute words mark the answer",
        ),
        pytest.param(
            [
                (
                    "check.yaml",
                    "      - text: Wait and see whether the feeling is still there after the meeting.\n"
                    "        feedback: Not quite. A few minutes of preparation helps the meeting cover what matters to you.\n",
                    "",
                ),
                (
                    "check.yaml",
                    "        feedback: Yes. Turning a worry into one clear question gives your supervisor something to work with.\n",
                    "        feedback: Yes. Turning a worry into one clear question gives your supervisor something to work with.\n"
                    "      - text: Wait and see whether the feeling is still there after the meeting.\n"
                    "        feedback: Not quite. A few minutes of preparation helps the meeting cover what matters to you.\n",
                ),
                (
                    "check.yaml",
                    "      - text: On the day something happens, from the clinician on duty.\n"
                    "        feedback: Not quite. In a crisis there is little time to look things up.\n",
                    "",
                ),
                (
                    "check.yaml",
                    "        feedback: Yes. Find out now and save the number where you can find it quickly.\n",
                    "        feedback: Yes. Find out now and save the number where you can find it quickly.\n"
                    "      - text: On the day something happens, from the clinician on duty.\n"
                    "        feedback: Not quite. In a crisis there is little time to look things up.\n",
                ),
            ],
            "check.yaml:1: the correct choice is choice 1 in 8 of 15 questions; vary its position",
            id="answer in the same position",
        ),
        pytest.param(
            [
                (
                    "check.yaml",
                    '    audiences: [supervisor]\n    prompt: "For supervisors: your week',
                    '    prompt: "For supervisors: your week',
                )
            ],
            "check.yaml:171: question q15 is for supervisors: give it audiences without peer, e.g. [supervisor]",
            id="supervisor question served to peers",
        ),
        pytest.param(
            [
                (
                    "check.yaml",
                    "    objective: O4\n    kind: applied\n    prompt: Your supervisor is a clinician",
                    "    objective: O1\n    kind: applied\n    prompt: Your supervisor is a clinician",
                ),
                (
                    "check.yaml",
                    "    objective: O4\n    kind: applied\n    prompt: You want more help",
                    "    objective: O1\n    kind: applied\n    prompt: You want more help",
                ),
            ],
            "check.yaml:1: objective O4 is tested by 1 question(s); it needs 2",
            id="objective tested once",
        ),
        pytest.param(
            [(LESSON_2, "Kim has been in her peer role", "One addict said Kim has been in her peer role")],
            f"{LESSON_2}:39: 'addict' is not person-first language; say person who uses drugs / person in recovery",
            id="not person-first",
        ),
        pytest.param(
            [(LESSON_4, "Go on to\nthe knowledge check", "This course is accredited. Go on to\nthe knowledge check")],
            f"{LESSON_4}:58: 'accredited' claims or suggests CE accreditation; say 'estimated contact hours'",
            id="accreditation claim",
        ),
        pytest.param(
            [(LESSON_2, "## Scenario: three things", "## Three things"), (LESSON_3, "## Scenario: a visit", "## A visit")],
            "course.md:1: no lesson has a workplace scenario (a heading that starts with 'Scenario')",
            id="no scenario",
        ),
    ],
)
def test_each_rule_reports_its_one_problem(tmp_path, edits, problem):
    assert problems_after(tmp_path, *edits) == [f"{COURSE}/{problem}"]


def test_a_lesson_below_400_words_is_reported(tmp_path):
    section = lesson_body(LESSON_3).split("## Looking after yourself afterward")[1].split("Next:")[0]
    problems = problems_after(tmp_path, (LESSON_3, "## Looking after yourself afterward" + section, ""))
    assert problems == [
        f"{COURSE}/{LESSON_3}:5: minutes 5 is above the estimate (394 words / 200 + 2 for the reflection = 4.0)",
        f"{COURSE}/{LESSON_3}:1: lesson has 394 words of prose; write 400 to 1300",
    ]


def test_a_source_without_a_year_cannot_be_matched(tmp_path):
    problems = problems_after(
        tmp_path,
        ("course.md", "further_sources: []", 'further_sources:\n  - "World Health Organization (WHO). Guidelines."'),
        (LESSON_3, "Ask\nyour supervisor what support", "Ask (WHO 2013)\nyour supervisor what support"),
    )
    assert problems == [
        f"{COURSE}/course.md:19: further_sources entry 'World Health Organization (WHO). Guidelines.' has no year"
        " in parentheses, like (2020)",
        f"{COURSE}/{LESSON_3}:52: (WHO 2013) matches no entry in references or further_sources (name and year)",
        f"{COURSE}/course.md:19: further_sources entry 'World Health Organization (WHO). Guidelines.' is never cited in the course",
    ]


def test_the_grade_window_is_wider_for_courses_without_peers(tmp_path):
    harder = ("course.md", "## How the course works\n\n", "## How the course works\n\n" + HARDER_SENTENCES)
    assert problems_after(tmp_path / "peers", harder)
    without_peers = ("course.md", "audiences: [peer, supervisor]", "audiences: [supervisor, admin]")
    assert problems_after(tmp_path / "no-peers", harder, without_peers) == []


def test_every_audience_is_served_at_least_eight_questions(tmp_path):
    only_for_supervisors = [
        ("check.yaml", f"  - id: q{number}\n", f"  - id: q{number}\n    audiences: [supervisor]\n") for number in range(1, 7)
    ]
    problems = problems_after(tmp_path, *only_for_supervisors)
    assert f"{COURSE}/check.yaml:1: the peer audience is served 7 questions; each audience needs 8" in problems
    assert not any("supervisor audience" in problem for problem in problems)


def test_organisations_are_cited_by_the_acronym_in_their_entry(tmp_path):
    who = (
        "World Health Organization (WHO). (2013). Guidelines for the management of conditions specifically related"
        " to stress. https://www.who.int/publications/i/item/9789241505406"
    )
    problems = problems_after(
        tmp_path,
        ("course.md", "further_sources: []", f'further_sources:\n  - "{who}"'),
        (LESSON_3, "Ask\nyour supervisor what support", "Ask (WHO 2013)\nyour supervisor what support"),
    )
    assert problems == []
