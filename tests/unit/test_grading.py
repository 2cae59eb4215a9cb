"""Grading, shuffling and completion rules, without Flask."""

from pathlib import Path

import pytest

from lms.domain.course_loader import load_catalog
from lms.domain.evaluation import MIN_RESPONSES_TO_SHOW, read_evaluation, summarize
from lms.domain.grading import IncompleteAnswers, grade, pass_mark_for, shuffled
from lms.domain.progress import (
    CHECK_FAILED,
    CHECK_READY,
    COMPLETE,
    EVALUATION_DUE,
    IN_PROGRESS,
    course_progress,
    course_status,
)
from lms.vault import Vault, new_key

COURSE = load_catalog(Path(__file__).resolve().parent.parent / "fixtures" / "courses").get("starting-out")
PEER_QUESTIONS = COURSE.questions_for({"peer"})  # q1 and q2; q3 is for supervisors
RIGHT = {"q1": "a", "q2": "b"}


def test_all_right_is_100_and_a_pass():
    result = grade(PEER_QUESTIONS, RIGHT, 80)
    assert (result.score, result.correct, result.total, result.passed) == (100, 2, 2, True)


def test_one_wrong_of_two_is_50_and_a_fail_with_the_chosen_feedback():
    result = grade(PEER_QUESTIONS, {"q1": "a", "q2": "a"}, 80)
    assert (result.score, result.passed) == (50, False)
    wrong = result.marked[1]
    assert not wrong.correct and wrong.chosen.feedback == "No. Carrying it alone wears you down."


def test_score_is_rounded_down_so_a_pass_is_never_rounded_up():
    questions = PEER_QUESTIONS * 3  # six questions; ids repeat, so answer by id applies to each copy
    result = grade(questions, {"q1": "a", "q2": "a"}, 50)
    assert result.score == 50


def test_unanswered_or_unknown_choices_are_reported_not_scored():
    with pytest.raises(IncompleteAnswers) as missing:
        grade(PEER_QUESTIONS, {"q1": "a", "q2": "z"}, 80)
    assert missing.value.missing == ["q2"]


def test_pass_mark_comes_from_the_course_or_the_default():
    assert pass_mark_for(COURSE) == 80
    assert pass_mark_for(COURSE, agency_default=70) == 70


def test_shuffle_is_the_same_for_the_same_attempt_and_varies_between_attempts():
    first = shuffled(COURSE.questions, 41)
    assert first == shuffled(COURSE.questions, 41)
    orders = {tuple((q.question.id, tuple(c.id for c in q.choices)) for q in shuffled(COURSE.questions, seed)) for seed in range(30)}
    assert len(orders) > 5
    for item in first:  # nothing lost or duplicated
        assert sorted(c.id for c in item.choices) == sorted(c.id for c in item.question.choices)


def _status(done, **flags):
    progress = course_progress(COURSE, done, done)
    defaults = {"completed": False, "check_passed": False, "check_failed": False, "evaluated": False}
    return course_status(progress, **{**defaults, **flags})


ALL = ["welcome", "listening", "supervision"]


def test_course_status_in_the_order_a_learner_meets_it():
    assert _status(["welcome"]) == IN_PROGRESS
    assert _status(ALL) == CHECK_READY
    assert _status(ALL, check_failed=True) == CHECK_FAILED
    assert _status(ALL, check_passed=True) == EVALUATION_DUE
    assert _status(ALL, check_passed=True, evaluated=True) == COMPLETE
    assert _status(["welcome"], completed=True) == COMPLETE  # a completion stays, even if lessons change


class Row:
    def __init__(self, rating, comment=None):
        self.objective_ratings = {"O1": rating, "O2": rating}
        self.relevance = rating
        self.would_recommend = rating >= 3
        self.comment = comment


def test_evaluation_summary_is_hidden_below_five_responses():
    rows = [Row(4, "Useful") for _ in range(MIN_RESPONSES_TO_SHOW - 1)]
    assert summarize(COURSE, rows) is None
    summary = summarize(COURSE, rows + [Row(2, "Too long")])
    assert summary.responses == 5
    assert summary.objective_means == {"O1": 3.6, "O2": 3.6}
    assert summary.recommend_percent == 80
    assert summary.comments == ("Too long", "Useful", "Useful", "Useful", "Useful")


def test_evaluation_form_validation():
    answers, errors = read_evaluation(COURSE, {"objective-O1": "5", "objective-O2": "9", "relevance": "x"})
    assert answers is None
    assert set(errors) == {"objective-O2", "relevance", "would_recommend"}
    answers, errors = read_evaluation(
        COURSE, {"objective-O1": "5", "objective-O2": "1", "relevance": "3", "would_recommend": "no", "comment": "  "}
    )
    assert errors == {} and answers.objective_ratings == {"O1": 5, "O2": 1}
    assert answers.would_recommend is False and answers.comment is None


def test_vault_round_trip_and_rotation():
    old, new = new_key(), new_key()
    token = Vault([old]).encrypt("I felt heard today")
    assert b"heard" not in token
    both = Vault([new, old])
    assert both.decrypt(token) == "I felt heard today"
    rotated = both.rotate(token)
    assert Vault([new]).decrypt(rotated) == "I felt heard today"


def test_counts_are_written_with_the_right_noun():
    from lms.domain.wording import counted

    assert counted(1, "line") == "1 line" and counted(6, "line") == "6 lines" and counted(0, "line") == "0 lines"
    assert counted(1, "new person", "new people") == "1 new person" and counted(2, "new person", "new people") == "2 new people"
    assert counted(0.5, "hour") == "0.5 hours" and counted(1.0, "hour") == "1 hour"
