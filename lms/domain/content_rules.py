"""Quality rules every course must keep: plain language, honest claims and hours, sound checks.

These do not stop a course from being served; `flask courses check` reports them and
fails, so an edit that breaks one cannot land. docs/authoring.md explains each rule.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from fractions import Fraction

from lms.domain.citations import citations_in, cites, entry_year
from lms.domain.course_measures import (
    correct_is_longest,
    estimated_minutes,
    fewest_questions_served,
    lesson_estimated_minutes,
    prose_words,
    reading_grade,
    word_count,
    words,
)
from lms.domain.courses import QUALITY, QUESTION_KINDS, Course, Problem
from lms.domain.roles import PEER

OBJECTIVES = (4, 6)
CE_HOURS = (0.5, 1.5)
CE_HOURS_STEP = 0.25
LESSON_WORDS = (400, 1300)
# Flesch–Kincaid grade, rounded to one decimal, of each lesson and of the course.md welcome.
GRADE_WITH_PEERS = (6.0, 8.9)
GRADE_WITHOUT_PEERS = (6.0, 9.9)
GRADE_PARAGRAPH_WORDS = 12  # shorter paragraphs are not blamed for a lesson's grade
REPEATED_RUN_WORDS = 8
REPEATED_RUN_LIMIT = 3  # a run of words used this many times in a course is a stock phrase
QUESTIONS = (8, 15)
QUESTIONS_PER_AUDIENCE = 8
QUESTIONS_PER_OBJECTIVE = 2
APPLIED_SHARE = Fraction(2, 3)  # at least
LONGEST_CORRECT_SHARE = Fraction(35, 100)  # at most
ABSOLUTE_WORD_GAP = Fraction(20, 100)  # at most
ABSOLUTE_WORDS = (
    "never",
    "always",
    "only",
    "all",
    "every",
    "none",
    "nothing",
    "no one",
    "nobody",
    "everyone",
    "everything",
    "completely",
    "must",
)
ABSOLUTE_WORD = re.compile(r"\b(?:" + "|".join(ABSOLUTE_WORDS) + r")\b", re.IGNORECASE)
FOR_SUPERVISORS = re.compile(r"^for supervisors\b", re.IGNORECASE)

# Words that label people by a condition, or belittle them; the replacement is suggested.
NOT_PERSON_FIRST = {
    r"\baddicts?\b": "person who uses drugs / person in recovery",
    r"\bjunkies?\b": "person who uses drugs",
    r"\babusers?\b": "person who uses substances",
    r"\b(substance|drug|alcohol) abuse\b": "substance use",
    r"\balcoholics?\b": "person with an alcohol use disorder",
    r"\bthe mentally ill\b": "people living with mental health conditions",
    r"\bmentally ill (people|persons|patients)\b": "people living with mental health conditions",
    r"\bcrazy\b": "a plainer, respectful word",
    r"\bpsychos?\b": "a plainer, respectful word",
    r"\blunatics?\b": "a plainer, respectful word",
    r"\bcommitted suicide\b": "died by suicide",
    r"\bschizophrenics?\b": "person living with schizophrenia",
    r"\bsuffer(s|ing)? from\b": "lives with / has",
    r"\bclean and sober\b": "in recovery",
    r"\bdirty (urine|test|drug screen)s?\b": "positive test",
}
ACCREDITATION_CLAIM = re.compile(
    r"\baccredit\w*|\bapprov\w*\b[^.]{0,60}\b(CE|continuing education|credits?)\b"
    r"|\b(CE|continuing education) credits?\b",
    re.IGNORECASE,
)
# Every course tells learners where to turn; each part is named when it is missing.
WHERE_TO_TURN = {
    "the Employee Assistance Program (EAP)": re.compile(r"\bEAP\b|Employee Assistance", re.IGNORECASE),
    "call or text 988": re.compile(r"\b988\b"),
    "chat at 988lifeline.org": re.compile(r"\b988lifeline\.org\b", re.IGNORECASE),
    "Veterans press 1 after dialing 988": re.compile(r"\bVeterans\b[^.]*\bpress 1\b", re.IGNORECASE),
}
CE_FACTS = {
    "authors": "list each author with name and credentials",
    "reviewers": "list each reviewer with name and credentials",
    "last_reviewed": "the date of the last review, like 2026-11-28",
    "conflict_of_interest": "the conflict-of-interest disclosure",
    "delivery_format": "how the course is delivered, e.g. self-paced online",
    "further_sources": "general-practice sources the course cites; write [] when there are none",
}


def quality_problems(course: Course) -> list[Problem]:
    found: list[Problem] = []

    def add(file: str, message: str, line: int = 1):
        found.append(Problem(f"{course.path}/{file}", line, message, QUALITY))

    for rule in (
        _check_course_facts,
        _check_where_to_turn,
        _check_hours,
        _check_lessons,
        _check_reading_grades,
        _check_repeated_runs,
        _check_citations,
        _check_questions,
        _check_words,
    ):
        rule(course, add)
    return found


def learner_facing_text(course: Course):
    """(file, line, text) for everything a learner reads, except the source lists."""
    yield "course.md", course.line_of("title"), course.title
    yield "course.md", course.line_of("summary"), course.summary
    for objective in course.objectives:
        yield "course.md", course.line_of("objectives"), objective.text
    for line, text in course.intro_paragraphs:
        yield "course.md", line, text
    for lesson in course.lessons:
        yield lesson.path, lesson.line_of("title"), lesson.title
        yield lesson.path, lesson.line_of("reflection"), lesson.reflection
        for line, _, text in lesson.headings:
            yield lesson.path, line, text
        for line, text in lesson.paragraphs:
            yield lesson.path, line, text
    for question in course.questions:
        parts = [question.prompt, *(c.text for c in question.choices), *(c.feedback for c in question.choices)]
        yield "check.yaml", question.line, "\n".join(parts)


def _prose_paragraphs(course: Course):
    """(file, paragraphs) for the course.md welcome and each lesson."""
    yield "course.md", course.intro_paragraphs
    for lesson in course.lessons:
        yield lesson.path, lesson.paragraphs


def _check_course_facts(course, add):
    low, high = OBJECTIVES
    if not low <= len(course.objectives) <= high:
        add("course.md", f"a course has {low} to {high} objectives, not {len(course.objectives)}", course.line_of("objectives"))
    for key, what in CE_FACTS.items():
        value = getattr(course, key)
        if value is None or (key != "further_sources" and not value):
            add("course.md", f"missing {key}: {what}", course.line_of(key))
    taught = {o for lesson in course.lessons for o in lesson.objectives}
    for objective in course.objectives:
        if objective.id not in taught:
            add("course.md", f"objective {objective.id} is not taught by any lesson", course.line_of("objectives"))
    if not any(text.lower().startswith("scenario") for lesson in course.lessons for _, _, text in lesson.headings):
        add("course.md", "no lesson has a workplace scenario (a heading that starts with 'Scenario')")


def _check_where_to_turn(course, add):
    paragraphs = [(file, line, text) for file, items in _prose_paragraphs(course) for line, text in items]
    all_text = "\n".join(text for _, _, text in paragraphs)
    missing = [part for part, pattern in WHERE_TO_TURN.items() if not pattern.search(all_text)]
    if missing:
        file, line = next(((f, n) for f, n, text in paragraphs if "988" in text), ("course.md", 1))
        add(file, f"tell learners where to turn (supervisor, EAP, 988 Lifeline): missing {'; '.join(missing)}", line)


def _check_hours(course, add):
    estimate = estimated_minutes(course)
    basis = (
        f"{prose_words(course)} words / 200 + {fewest_questions_served(course)} questions"
        f" + 2 x {len(course.lessons)} reflections = {estimate:.1f} minutes"
    )
    if course.minutes > math.ceil(estimate):
        add("course.md", f"minutes {course.minutes} is above the estimate ({basis})", course.line_of("minutes"))
    hours, line = course.ce_hours, course.line_of("ce_hours")
    low, high = CE_HOURS
    if not low <= hours <= high or hours % CE_HOURS_STEP:
        add("course.md", f"ce_hours must be {low} to {high} in steps of {CE_HOURS_STEP}, not {hours:g}", line)
    if hours > estimate / 60:
        add("course.md", f"ce_hours {hours:g} is above the estimate ({basis} = {estimate / 60:.2f} hours)", line)
    if abs(hours - course.minutes / 60) > CE_HOURS_STEP:
        add("course.md", f"ce_hours {hours:g} does not match {course.minutes} minutes (within {CE_HOURS_STEP} hours)", line)


def _check_lessons(course, add):
    low, high = LESSON_WORDS
    for lesson in course.lessons:
        words_in_lesson = word_count(lesson.prose)
        estimate = lesson_estimated_minutes(lesson)
        if lesson.minutes > math.ceil(estimate):
            add(
                lesson.path,
                f"minutes {lesson.minutes} is above the estimate ({words_in_lesson} words / 200 + 2 for the reflection = {estimate:.1f})",
                lesson.line_of("minutes"),
            )
        if not low <= words_in_lesson <= high:
            add(lesson.path, f"lesson has {words_in_lesson} words of prose; write {low} to {high}")
        if not citations_in(lesson.prose):
            add(lesson.path, "lesson cites no research; cite findings by author and year, e.g. (Almeida et al. 2020)")


def _check_reading_grades(course, add):
    low, high = GRADE_WITH_PEERS if PEER in course.audiences else GRADE_WITHOUT_PEERS
    for file, paragraphs in _prose_paragraphs(course):
        grade = round(reading_grade("\n".join(text for _, text in paragraphs)), 1)
        if grade > high:
            line, worst = _worst_paragraph(paragraphs, max)
            advice = "use shorter sentences and plainer words"
            add(file, f"reading grade {grade:.1f} is above {high} (this paragraph: {worst:.1f}); {advice}", line)
        elif grade < low:
            line, worst = _worst_paragraph(paragraphs, min)
            advice = "join short, choppy sentences"
            add(file, f"reading grade {grade:.1f} is below {low} (this paragraph: {worst:.1f}); {advice}", line)


def _worst_paragraph(paragraphs, pick) -> tuple[int, float]:
    """(line, grade) of the paragraph that pulls the grade furthest out of the window."""
    long_enough = [p for p in paragraphs if word_count(p[1]) >= GRADE_PARAGRAPH_WORDS] or paragraphs
    graded = [(reading_grade(text), line) for line, text in long_enough]
    grade, line = pick(graded) if graded else (0.0, 1)
    return line, grade


def _check_repeated_runs(course, add):
    """The same run of 8 words used 3 or more times: reported once, where it is first used."""
    paragraphs = [(file, line, _runs(text)) for file, items in _prose_paragraphs(course) for line, text in items]
    places = defaultdict(list)
    for file, line, runs in paragraphs:
        for run in runs:
            places[run].append(f"{file}:{line}")
    reported = set()
    for file, line, runs in paragraphs:
        repeated = [len(places[run]) >= REPEATED_RUN_LIMIT for run in runs]
        for index, run in enumerate(runs):
            starts_stretch = repeated[index] and not (index and repeated[index - 1])
            if starts_stretch and run not in reported:
                reported.add(run)
                others = ", ".join(places[run][1:])
                uses = f"'{run}' is used {len(places[run])} times in this course (also {others})"
                add(file, f"{uses}; say it once or in new words", line)


def _runs(text: str) -> list[str]:
    tokens = words(text)
    return [" ".join(tokens[start : start + REPEATED_RUN_WORDS]) for start in range(len(tokens) - REPEATED_RUN_WORDS + 1)]


def _check_citations(course, add):
    lists = {"references": course.references, "further_sources": course.further_sources or ()}
    entries = [entry for items in lists.values() for entry in items]
    for key, items in lists.items():
        for entry in items:
            if entry_year(entry) is None:
                add("course.md", f"{key} entry '{_opening(entry)}' has no year in parentheses, like (2020)", course.line_of(key))
    cited = set()
    for file, line, text in learner_facing_text(course):
        for citation in citations_in(text):
            matching = [entry for entry in entries if cites(citation, entry)]
            if not matching:
                add(file, f"({citation}) matches no entry in references or further_sources (name and year)", line)
            cited.update(matching)
    for key, items in lists.items():
        for entry in items:
            if entry not in cited:
                add("course.md", f"{key} entry '{_opening(entry)}' is never cited in the course", course.line_of(key))


def _opening(entry: str) -> str:
    return entry if len(entry) <= 50 else entry[:50] + "…"


def _check_questions(course, add):
    questions = course.questions
    low, high = QUESTIONS
    if not low <= len(questions) <= high:
        add("check.yaml", f"a check has {low} to {high} questions, not {len(questions)}")
    for audience in course.audiences:
        served = len(course.questions_for([audience]))
        if served < QUESTIONS_PER_AUDIENCE:
            needs = f"each audience needs {QUESTIONS_PER_AUDIENCE}"
            add("check.yaml", f"the {audience} audience is served {served} questions; {needs}")
    for objective in course.objectives:
        tested = sum(q.objective == objective.id for q in questions)
        if tested < QUESTIONS_PER_OBJECTIVE:
            add("check.yaml", f"objective {objective.id} is tested by {tested} question(s); it needs {QUESTIONS_PER_OBJECTIVE}")
    for question in questions:
        _check_question(question, add)
    if questions:
        _check_cues(questions, add)


def _check_question(question, add):
    if not 3 <= len(question.choices) <= 4:
        add("check.yaml", f"question {question.id} should have 3 or 4 choices", question.line)
    if not question.kind:
        add("check.yaml", f"question {question.id} needs a kind: {', '.join(QUESTION_KINDS)}", question.line)
    if FOR_SUPERVISORS.match(question.prompt) and (not question.audiences or PEER in question.audiences):
        fix = "give it audiences without peer, e.g. [supervisor]"
        add("check.yaml", f"question {question.id} is for supervisors: {fix}", question.line)


def _check_cues(questions, add):
    """Nothing outside the content may point at the answer: kind, length, absolute words, position."""
    total = len(questions)
    applied = sum(q.kind == "applied" for q in questions)
    if applied < APPLIED_SHARE * total:
        add("check.yaml", f"{applied} of {total} questions are applied; at least two thirds must be (kind: applied)")
    longest = [q for q in questions if correct_is_longest(q)]
    if len(longest) > LONGEST_CORRECT_SHARE * total:
        add(
            "check.yaml",
            f"the correct choice is the longest in {len(longest)} of {total} questions ({_ids(longest)});"
            f" at most {float(LONGEST_CORRECT_SHARE):.0%} may be",
            longest[0].line,
        )
    right, wrong = _absolute_word_shares(questions)
    if abs(right - wrong) > ABSOLUTE_WORD_GAP:
        add(
            "check.yaml",
            f"absolute words ({', '.join(ABSOLUTE_WORDS)}) are in {float(right):.0%} of correct choices and {float(wrong):.0%} of"
            f" wrong ones; the difference may be at most {float(ABSOLUTE_WORD_GAP):.0%}",
        )
    position, count = Counter(_correct_position(q) for q in questions).most_common(1)[0]
    if count > total / 2:
        add("check.yaml", f"the correct choice is choice {position + 1} in {count} of {total} questions; vary its position")


def _absolute_word_shares(questions) -> tuple[Fraction, Fraction]:
    """(share of correct choices, share of wrong choices) that hold an absolute word."""
    right = [c for q in questions for c in q.choices if c.correct]
    wrong = [c for q in questions for c in q.choices if not c.correct]
    return _share_absolute(right), _share_absolute(wrong)


def _share_absolute(choices) -> Fraction:
    return Fraction(sum(bool(ABSOLUTE_WORD.search(c.text)) for c in choices), len(choices)) if choices else Fraction(0)


def _correct_position(question) -> int:
    return next((index for index, choice in enumerate(question.choices) if choice.correct), -1)


def _ids(questions) -> str:
    return ", ".join(q.id for q in questions)


def _check_words(course, add):
    for file, line, text in learner_facing_text(course):
        for pattern, better in NOT_PERSON_FIRST.items():
            for match in re.finditer(pattern, text, re.IGNORECASE):
                add(file, f"'{match.group(0)}' is not person-first language; say {better}", line)
        for match in ACCREDITATION_CLAIM.finditer(text):
            add(file, f"'{match.group(0)}' claims or suggests CE accreditation; say 'estimated contact hours'", line)
