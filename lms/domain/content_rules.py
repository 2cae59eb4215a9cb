"""Quality rules every course must keep: plain language, honest claims, sound checks.

These do not stop a course from being served; `flask courses check` reports them and
fails, so an edit that breaks one cannot land.
"""

from __future__ import annotations

import re

from lms.domain.courses import QUALITY, Course, Problem

MAX_GRADE = 9.0
LESSON_WORDS = (400, 900)
QUESTIONS = (8, 12)
OBJECTIVES = (4, 6)
CE_HOURS = (0.5, 1.5)
QUESTIONS_PER_OBJECTIVE = 2

CITATION = re.compile(r"\(([A-Z][A-Za-z'-]+)(?: et al\.?)?,? ((?:19|20)\d\d)\b")
# A whole parenthetical that carries a year, e.g. "(Almeida 2020, Work-life balance)".
CITED_PARENTHETICAL = re.compile(r"\s*\([^()]*\b(?:19|20)\d\d[^()]*\)")
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
CRISIS_LINE = re.compile(r"\b988\b")
SUPPORT_AT_WORK = re.compile(r"\bEAP\b|Employee Assistance", re.IGNORECASE)
CLEAN_PROSE = re.compile(r"\[([^\]]*)\]\([^)]*\)|[*_`>#|]")


def reading_grade(prose: str) -> float:
    """Flesch–Kincaid grade of prose, ignoring citations and Markdown marks."""
    import textstat  # here, not at the top: it takes about half a second, and only `flask courses` grades prose

    text = CITED_PARENTHETICAL.sub("", CLEAN_PROSE.sub(lambda m: m.group(1) or "", prose))
    return textstat.flesch_kincaid_grade(text) if text.strip() else 0.0


def word_count(prose: str) -> int:
    return len(re.findall(r"[A-Za-z0-9'’-]+", prose))


def learner_facing_text(course: Course):
    """(path, text) for everything a learner reads, except references."""
    yield "course.md", "\n".join([course.title, course.summary, course.intro_prose, *(o.text for o in course.objectives)])
    for lesson in course.lessons:
        yield lesson.path, "\n".join([lesson.title, lesson.reflection, lesson.prose, *(h[2] for h in lesson.headings)])
    for question in course.questions:
        parts = [question.prompt, *(c.text for c in question.choices), *(c.feedback for c in question.choices)]
        yield "check.yaml", "\n".join(parts)


def quality_problems(course: Course) -> list[Problem]:
    found: list[Problem] = []

    def add(file: str, message: str, line: int = 1):
        found.append(Problem(f"{course.path}/{file}", line, message, QUALITY))

    _check_course_facts(course, add)
    _check_lessons(course, add)
    _check_questions(course, add)
    for file, text in learner_facing_text(course):
        for pattern, better in NOT_PERSON_FIRST.items():
            for match in re.finditer(pattern, text, re.IGNORECASE):
                add(file, f"'{match.group(0)}' is not person-first language; say {better}")
        for match in ACCREDITATION_CLAIM.finditer(text):
            add(file, f"'{match.group(0)}' claims or suggests CE accreditation; say 'estimated contact hours'")
    return found


def _check_course_facts(course, add):
    low, high = OBJECTIVES
    if not low <= len(course.objectives) <= high:
        add("course.md", f"a course has {low} to {high} objectives, not {len(course.objectives)}")
    low, high = CE_HOURS
    if not low <= course.ce_hours <= high:
        add("course.md", f"ce_hours must be from {low} to {high}")
    if abs(course.ce_hours - course.minutes / 60) > 0.25:
        add("course.md", f"ce_hours {course.ce_hours} does not match {course.minutes} minutes")
    all_text = course.intro_prose + "\n".join(lesson.prose for lesson in course.lessons)
    if not (CRISIS_LINE.search(all_text) and SUPPORT_AT_WORK.search(all_text)):
        add("course.md", "tell learners where to turn: their supervisor, the EAP, and 988")
    cited_names = {name for name in CITATION.findall(all_text)}
    references = " ".join(course.references)
    for surname, year in sorted(cited_names):
        if surname not in references or year not in references:
            add("course.md", f"({surname} {year}) is cited but not in the references")
    taught = {o for lesson in course.lessons for o in lesson.objectives}
    for objective in course.objectives:
        if objective.id not in taught:
            add("course.md", f"objective {objective.id} is not taught by any lesson")
    if not any(text.lower().startswith("scenario") for lesson in course.lessons for _, _, text in lesson.headings):
        add("course.md", "no lesson has a workplace scenario (a heading that starts with 'Scenario')")


def _check_lessons(course, add):
    for lesson in course.lessons:
        words = word_count(lesson.prose)
        low, high = LESSON_WORDS
        if not low <= words <= high:
            add(lesson.path, f"lesson has {words} words of prose; aim for {low} to {high}")
        grade = reading_grade(lesson.prose)
        if grade > MAX_GRADE:
            add(lesson.path, f"reading grade {grade:.1f} is above {MAX_GRADE:.0f}: use shorter sentences and words")
        if not CITATION.search(lesson.prose):
            add(lesson.path, "lesson cites no research; cite findings by author and year, e.g. (Almeida 2020)")


def _check_questions(course, add):
    low, high = QUESTIONS
    if not low <= len(course.questions) <= high:
        add("check.yaml", f"a check has {low} to {high} questions, not {len(course.questions)}")
    for objective in course.objectives:
        tested = sum(q.objective == objective.id for q in course.questions)
        if tested < QUESTIONS_PER_OBJECTIVE:
            add("check.yaml", f"objective {objective.id} is tested by {tested} question(s); it needs {QUESTIONS_PER_OBJECTIVE}")
    for question in course.questions:
        if not 3 <= len(question.choices) <= 4:
            add("check.yaml", f"question {question.id} should have 3 or 4 choices")


def lesson_grades(course: Course) -> list[tuple[str, float, int]]:
    """(lesson file, reading grade, words) for `flask courses check --verbose`."""
    return [(lesson.path, reading_grade(lesson.prose), word_count(lesson.prose)) for lesson in course.lessons]
