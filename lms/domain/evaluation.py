"""End-of-course evaluations: what a valid answer is, and the anonymous summary admins see."""

from __future__ import annotations

from dataclasses import dataclass

from lms.domain.courses import Course

MIN_RESPONSES_TO_SHOW = 5  # fewer answers could identify the people who gave them
MAX_COMMENT = 2000
SCALE = range(1, 6)


@dataclass(frozen=True)
class EvaluationAnswers:
    objective_ratings: dict[str, int]
    relevance: int
    would_recommend: bool
    comment: str | None


def _rating(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number in SCALE else None


def read_evaluation(course: Course, form) -> tuple[EvaluationAnswers | None, dict[str, str]]:
    """Validate a submitted evaluation form; return (answers, {} ) or (None, errors by field)."""
    errors = {}
    ratings = {}
    for objective in course.objectives:
        rating = _rating(form.get(f"objective-{objective.id}"))
        if rating is None:
            errors[f"objective-{objective.id}"] = "Choose a rating from 1 to 5."
        else:
            ratings[objective.id] = rating
    relevance = _rating(form.get("relevance"))
    if relevance is None:
        errors["relevance"] = "Choose a rating from 1 to 5."
    recommend = form.get("would_recommend")
    if recommend not in ("yes", "no"):
        errors["would_recommend"] = "Choose yes or no."
    comment = (form.get("comment") or "").replace("\r\n", "\n").strip()  # a line break counts once, as maxlength counts it
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Please keep your comment under {MAX_COMMENT} characters (it has {len(comment)})."
    if errors:
        return None, errors
    return EvaluationAnswers(ratings, relevance, recommend == "yes", comment or None), {}


@dataclass(frozen=True)
class EvaluationSummary:
    responses: int
    objective_means: dict[str, float]
    relevance_mean: float
    recommend_percent: int
    comments: tuple[str, ...]


def summarize(course: Course, rows) -> EvaluationSummary | None:
    """Averages over all responses, or None while there are too few to stay anonymous.

    rows: objects with objective_ratings, relevance, would_recommend, comment.
    """
    rows = list(rows)
    if len(rows) < MIN_RESPONSES_TO_SHOW:
        return None

    def mean(values):
        values = list(values)
        return round(sum(values) / len(values), 1) if values else 0.0

    return EvaluationSummary(
        responses=len(rows),
        objective_means={o.id: mean(r.objective_ratings[o.id] for r in rows if o.id in r.objective_ratings) for o in course.objectives},
        relevance_mean=mean(r.relevance for r in rows),
        recommend_percent=round(100 * sum(r.would_recommend for r in rows) / len(rows)),
        # Sorted, not in order of arrival, so a comment cannot be matched to a person by time.
        comments=tuple(sorted(r.comment for r in rows if r.comment)),
    )
