"""xAPI statements about a learner's progress, built from plain values (no Flask, no database).

Verbs are the ADL ones (http://adlnet.gov/expapi/verbs/…, and https://w3id.org/xapi/adl/verbs/satisfied
that cmi5 gives the LMS for a finished course); a certificate is "earned" (the Tin Can registry
verb: ADL has none for an award) and its revocation voids that statement, as xAPI prescribes
for a statement no longer to be relied on. Following cmi5, the actor is an Agent identified
by an account only (no name, no email), every statement id is a UUID, a course is a
cmi5 course activity, a score goes only with passed/failed, and success/completion only with
the verbs that mean them. docs/xapi.md explains each choice.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

# The xAPI version this site speaks, sent as X-Experience-API-Version on every request.
XAPI_VERSION = "1.0.3"
PLATFORM = "Common Ground"
LANGUAGE = "en-US"


@dataclass(frozen=True)
class Verb:
    id: str
    display: str

    def as_json(self) -> dict:
        return {"id": self.id, "display": {LANGUAGE: self.display}}


EXPERIENCED = Verb("http://adlnet.gov/expapi/verbs/experienced", "experienced")
COMPLETED = Verb("http://adlnet.gov/expapi/verbs/completed", "completed")
ATTEMPTED = Verb("http://adlnet.gov/expapi/verbs/attempted", "attempted")
PASSED = Verb("http://adlnet.gov/expapi/verbs/passed", "passed")
FAILED = Verb("http://adlnet.gov/expapi/verbs/failed", "failed")
SATISFIED = Verb("https://w3id.org/xapi/adl/verbs/satisfied", "satisfied")
EARNED = Verb("http://id.tincanapi.com/verb/earned", "earned")
VOIDED = Verb("http://adlnet.gov/expapi/verbs/voided", "voided")

COURSE_TYPE = "https://w3id.org/xapi/cmi5/activitytype/course"
LESSON_TYPE = "http://adlnet.gov/expapi/activities/lesson"
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"
CERTIFICATE_TYPE = "http://id.tincanapi.com/activitytype/certificate"


@dataclass(frozen=True)
class Activity:
    id: str  # an absolute URL of this site (public_url), so it names one thing for good
    type: str
    name: str

    def as_json(self) -> dict:
        return {"objectType": "Activity", "id": self.id, "definition": {"type": self.type, "name": {LANGUAGE: self.name}}}


def actor_name(namespace: str, user_id: int) -> str:
    """A learner's opaque, stable account name: a UUID derived from the agency's own random
    namespace, so it reveals neither the person nor their row number to anyone without it."""
    return str(uuid.uuid5(uuid.UUID(namespace), f"user:{user_id}"))


def registration(namespace: str, user_id: int, course_slug: str) -> str:
    """One UUID per learner and course, as cmi5's registration groups a learner's course statements."""
    return str(uuid.uuid5(uuid.UUID(namespace), f"registration:{user_id}:{course_slug}"))


def agent(home_page: str, account_name: str) -> dict:
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": account_name}}


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC; a datetime without a time zone is taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def duration(seconds: float) -> str:
    """An ISO 8601 duration, as xAPI's result.duration wants it."""
    return f"PT{max(seconds, 0):.2f}S"


def statement(
    statement_id: str,
    actor: dict,
    verb: Verb,
    activity: Activity,
    moment: datetime,
    *,
    course: Activity | None = None,
    registration_id: str | None = None,
    result: dict | None = None,
) -> dict:
    context: dict = {"platform": PLATFORM, "language": LANGUAGE}
    if registration_id:
        context["registration"] = registration_id
    if course is not None:
        context["contextActivities"] = {"parent": [course.as_json()]}
    built = {
        "id": statement_id,
        "actor": actor,
        "verb": verb.as_json(),
        "object": activity.as_json(),
        "context": context,
        "timestamp": timestamp(moment),
    }
    if result is not None:
        built["result"] = result
    return built


def voiding(statement_id: str, actor: dict, voided_id: str, moment: datetime) -> dict:
    """A statement that voids another: its object is a StatementRef, and it has no context."""
    return {
        "id": statement_id,
        "actor": actor,
        "verb": VOIDED.as_json(),
        "object": {"objectType": "StatementRef", "id": voided_id},
        "timestamp": timestamp(moment),
    }


def check_result(score: int, passed: bool, seconds: float) -> dict:
    """A knowledge check's result: the percent score, pass or fail, and how long it took."""
    return {
        "score": {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100},
        "success": passed,
        "duration": duration(seconds),
    }


COMPLETION_RESULT = {"completion": True}

# What a statement may hold: nothing else is ever sent (no names, emails or writing).
_STATEMENT_KEYS = {"id", "actor", "verb", "object", "context", "timestamp", "result"}
_RESULT_KEYS = {"score", "success", "completion", "duration"}
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_DURATION = re.compile(r"^PT\d+(\.\d+)?S$")


def _is_absolute_iri(value) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def _is_uuid(value) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def statement_problems(built: dict) -> list[str]:
    """What is wrong with a statement's shape; empty when it is fit to send."""
    problems = []
    extra = set(built) - _STATEMENT_KEYS
    if extra:
        problems.append(f"unexpected properties: {', '.join(sorted(extra))}")
    if not _is_uuid(built.get("id")):
        problems.append("id is not a UUID")
    problems.extend(_actor_problems(built.get("actor") or {}))
    verb = built.get("verb") or {}
    if not _is_absolute_iri(verb.get("id")) or not verb.get("display"):
        problems.append("verb needs an absolute IRI id and a display")
    problems.extend(_object_problems(built.get("object") or {}, verb.get("id")))
    if not _TIMESTAMP.match(built.get("timestamp") or ""):
        problems.append("timestamp is not ISO 8601 with a time zone")
    result = built.get("result")
    if result is not None:
        problems.extend(_result_problems(result, verb.get("id")))
    return problems


def _actor_problems(actor: dict) -> list[str]:
    """The learner is named by an opaque account only: no name, no email."""
    problems = []
    account = actor.get("account") or {}
    if actor.get("objectType") != "Agent" or set(actor) != {"objectType", "account"}:
        problems.append("actor must be an Agent identified by an account only")
    if not _is_absolute_iri(account.get("homePage")) or not _is_uuid(account.get("name")):
        problems.append("actor account needs an absolute homePage and an opaque UUID name")
    return problems


def _object_problems(target: dict, verb_id: str | None) -> list[str]:
    """An activity, or (for voiding only) a reference to the statement voided."""
    if target.get("objectType") == "StatementRef":
        if verb_id != VOIDED.id or not _is_uuid(target.get("id")):
            return ["a StatementRef object belongs to a voiding statement and names a UUID"]
        return []
    if target.get("objectType") != "Activity" or not _is_absolute_iri(target.get("id")):
        return ["object must be an Activity with an absolute IRI id"]
    return []


def _result_problems(result: dict, verb_id: str | None) -> list[str]:
    problems = []
    if set(result) - _RESULT_KEYS:
        problems.append(f"unexpected result properties: {', '.join(sorted(set(result) - _RESULT_KEYS))}")
    judged = verb_id in {PASSED.id, FAILED.id}
    if ("score" in result or "success" in result) and not judged:
        problems.append("score and success go only with passed or failed")
    if "success" in result and result["success"] != (verb_id == PASSED.id):
        problems.append("success must be true for passed and false for failed")
    if "completion" in result and verb_id != COMPLETED.id:
        problems.append("completion goes only with completed")
    score = result.get("score")
    if score is not None:
        if not 0 <= score.get("scaled", -1) <= 1 or not score.get("min", 0) <= score.get("raw", -1) <= score.get("max", -1):
            problems.append("score out of range")
    if "duration" in result and not _DURATION.match(result["duration"]):
        problems.append("duration is not an ISO 8601 duration")
    return problems
