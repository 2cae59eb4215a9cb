from pathlib import Path

from lms.domain.course_loader import load_catalog
from lms.domain.progress import IN_PROGRESS, LESSONS_DONE, NOT_STARTED, course_progress

COURSE = load_catalog(Path(__file__).resolve().parent.parent / "fixtures" / "courses").get("starting-out")


def test_not_started_resumes_at_first_lesson():
    progress = course_progress(COURSE, [], [])
    assert progress.state == NOT_STARTED
    assert progress.resume_lesson.id == "welcome"
    assert (progress.done, progress.total, progress.percent) == (0, 3, 0)


def test_resume_goes_to_first_unfinished_lesson():
    progress = course_progress(COURSE, ["welcome", "supervision"], ["welcome", "listening", "supervision"])
    assert progress.state == IN_PROGRESS
    assert progress.resume_lesson.id == "listening"
    assert progress.percent == 67


def test_viewing_a_lesson_counts_as_started():
    assert course_progress(COURSE, [], ["welcome"]).state == IN_PROGRESS


def test_all_lessons_done():
    progress = course_progress(COURSE, ["welcome", "listening", "supervision"])
    assert progress.state == LESSONS_DONE
    assert progress.resume_lesson.id == "welcome"


def test_lessons_removed_from_the_course_do_not_count():
    progress = course_progress(COURSE, ["welcome", "old-lesson-id"], ["old-lesson-id"])
    assert progress.done == 1
    assert progress.completed == frozenset({"welcome"})
