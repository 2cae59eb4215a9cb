"""xAPI statements as lms.domain.xapi builds them: shaped as xAPI and cmi5 want, checked by
our own rules and by another implementation's models (Ralph's pydantic xAPI models)."""

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError
from ralph.models.xapi.base.statements import BaseXapiStatement

from lms.domain import xapi

NAMESPACE = str(uuid.uuid4())
HOME = "https://training.example.org/"
MOMENT = datetime(2026, 11, 28, 7, 30, tzinfo=timezone.utc)
COURSE = xapi.Activity("https://training.example.org/learn/courses/starting-out/", xapi.COURSE_TYPE, "Starting out")
LESSON = xapi.Activity(COURSE.id + "lessons/welcome", xapi.LESSON_TYPE, "Welcome")
CHECK = xapi.Activity(COURSE.id + "check", xapi.ASSESSMENT_TYPE, "Knowledge check: Starting out")


def actor():
    return xapi.agent(HOME, xapi.actor_name(NAMESPACE, 7))


def every_kind():
    registration = xapi.registration(NAMESPACE, 7, "starting-out")
    earned = xapi.statement(
        str(uuid.uuid4()),
        actor(),
        xapi.EARNED,
        xapi.Activity(COURSE.id + "#certificate", xapi.CERTIFICATE_TYPE, "Certificate: Starting out"),
        MOMENT,
        course=COURSE,
        registration_id=registration,
    )
    return [
        xapi.statement(str(uuid.uuid4()), actor(), xapi.EXPERIENCED, LESSON, MOMENT, course=COURSE, registration_id=registration),
        xapi.statement(
            str(uuid.uuid4()),
            actor(),
            xapi.COMPLETED,
            LESSON,
            MOMENT,
            course=COURSE,
            registration_id=registration,
            result=xapi.COMPLETION_RESULT,
        ),
        xapi.statement(str(uuid.uuid4()), actor(), xapi.ATTEMPTED, CHECK, MOMENT, course=COURSE, registration_id=registration),
        xapi.statement(
            str(uuid.uuid4()),
            actor(),
            xapi.PASSED,
            CHECK,
            MOMENT,
            course=COURSE,
            registration_id=registration,
            result=xapi.check_result(90, True, 312.5),
        ),
        xapi.statement(
            str(uuid.uuid4()),
            actor(),
            xapi.FAILED,
            CHECK,
            MOMENT,
            course=COURSE,
            registration_id=registration,
            result=xapi.check_result(40, False, 61),
        ),
        xapi.statement(str(uuid.uuid4()), actor(), xapi.SATISFIED, COURSE, MOMENT, registration_id=registration),
        earned,
        xapi.voiding(str(uuid.uuid4()), actor(), earned["id"], MOMENT + timedelta(days=3)),
    ]


@pytest.mark.parametrize("built", every_kind(), ids=lambda s: s["verb"]["display"]["en-US"])
def test_every_statement_we_make_is_valid_by_our_rules_and_by_ralphs_models(built):
    assert xapi.statement_problems(built) == []
    BaseXapiStatement.model_validate(built)


def test_the_actor_is_an_opaque_stable_account_and_nothing_else():
    first, again = xapi.actor_name(NAMESPACE, 7), xapi.actor_name(NAMESPACE, 7)
    assert first == again and uuid.UUID(first)
    assert xapi.actor_name(NAMESPACE, 8) != first
    assert xapi.actor_name(str(uuid.uuid4()), 7) != first  # another agency cannot link the same person
    assert actor() == {"objectType": "Agent", "account": {"homePage": HOME, "name": first}}


def test_a_score_is_a_percent_and_the_duration_is_iso_8601():
    result = xapi.check_result(85, True, 125.333)
    assert result == {"score": {"scaled": 0.85, "raw": 85, "min": 0, "max": 100}, "success": True, "duration": "PT125.33S"}


def test_a_time_without_a_zone_is_taken_as_utc():
    assert xapi.timestamp(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05.000Z"
    assert xapi.timestamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5)))) == "2026-01-02T08:04:05.000Z"


def broken(change):
    built = every_kind()[3]  # passed, with a result
    change(built)
    return xapi.statement_problems(built)


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda s: s.update(id="42"), "id is not a UUID"),
        (lambda s: s["actor"].update(mbox="mailto:someone@example.org"), "identified by an account only"),
        (lambda s: s["actor"].update(name="Pat Doe"), "identified by an account only"),
        (lambda s: s["actor"]["account"].update(name="pat@example.org"), "opaque UUID name"),
        (lambda s: s["object"].update(id="/learn/courses/x/"), "absolute IRI"),
        (lambda s: s["verb"].update(id="passed"), "verb needs an absolute IRI"),
        (lambda s: s.update(timestamp="2026-11-28 07:30"), "timestamp"),
        (lambda s: s["result"].update(success=False), "success must be true for passed"),
        (lambda s: s["result"].update(completion=True), "completion goes only with completed"),
        (lambda s: s["result"]["score"].update(raw=140), "score out of range"),
        (lambda s: s["result"].update(response="my private answer"), "unexpected result properties"),
        (lambda s: s.update(attachments=[]), "unexpected properties"),
        (lambda s: s.update(verb=xapi.EXPERIENCED.as_json()), "score and success go only with passed or failed"),
        (lambda s: s.update(object={"objectType": "StatementRef", "id": str(uuid.uuid4())}), "belongs to a voiding statement"),
    ],
)
def test_a_statement_of_the_wrong_shape_is_caught(change, problem):
    assert any(problem in found for found in broken(change)), broken(change)


def test_a_voiding_statement_names_the_voided_statement_by_its_uuid():
    voiding = every_kind()[-1]
    voiding["object"]["id"] = "earned-statement"
    assert xapi.statement_problems(voiding) == ["a StatementRef object belongs to a voiding statement and names a UUID"]


def test_ralphs_models_refuse_what_our_rules_refuse():
    """The second opinion can fail too: an actor with no identifier is not a statement."""
    built = every_kind()[0]
    built["actor"] = {"objectType": "Agent"}
    with pytest.raises(ValidationError):
        BaseXapiStatement.model_validate(built)
