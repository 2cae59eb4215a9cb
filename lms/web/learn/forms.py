"""The learner area's forms: each reads what was sent and gives its service typed values.

The knowledge check and the course evaluation are not here: their questions come from each
course's own files, and the domain reads their answers (`grading.grade`, `evaluation.read_evaluation`).
"""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import Length, ValidationError

from lms.domain.courses import PlanSection
from lms.services.private_writing import MAX_PLAN_SECTION, MAX_REFLECTION, PlanText
from lms.web.forms import DayField, Form, YesBox, stripped, unix_lines

# A part of the self-care plan is read by the field named "section-<part id>" (a name no
# attribute of a form can have), from the text box named "<part id>".
SECTION = "section-"


class ReflectionForm(Form):
    """A learner's reflection on a lesson; empty text deletes the one saved."""

    reflection = TextAreaField(filters=[unix_lines, stripped])

    def validate_reflection(self, field):
        length = len(field.data or "")
        if length > MAX_REFLECTION:
            raise ValidationError(f"A reflection can be up to {MAX_REFLECTION:,} characters; this one has {length:,}.")

    def values(self) -> str:
        return self.reflection.data or ""


class SelfCarePlanForm(Form):
    """The self-care plan: the learner's words for each part of it, and a day to look at it again.
    Build it with `self_care_plan_form`, which adds a text box for each part."""

    review_on = DayField()
    part_ids: tuple[str, ...] = ()

    def validate_review_on(self, field):
        if field.data is None and self.review_text().strip():
            raise ValidationError("Enter the date as year-month-day, for example 2027-03-01.")

    def answers(self) -> dict[str, str]:
        """What was written in each part, by part id (also when the form is refused, to show it again)."""
        return {part_id: self[SECTION + part_id].data or "" for part_id in self.part_ids}

    def review_text(self) -> str:
        """The review date as it was typed."""
        return self.review_on._value()

    def values(self) -> PlanText:
        return PlanText(self.answers(), self.review_on.data, None)


def self_care_plan_form(sections: tuple[PlanSection, ...]) -> SelfCarePlanForm:
    """The plan's form with a text box for each part the self-care course names (plan.yaml)."""

    class PlanForm(SelfCarePlanForm):
        part_ids = tuple(section.id for section in sections)

    too_long = f"Each part of the plan can be up to {MAX_PLAN_SECTION:,} characters."
    for section in sections:
        text_box = TextAreaField(
            name=section.id, filters=[unix_lines, stripped], validators=[Length(max=MAX_PLAN_SECTION, message=too_long)]
        )
        setattr(PlanForm, SECTION + section.id, text_box)
    return PlanForm()


class EmailSettingsForm(Form):
    """A supervisor's choice of the weekly email about their teams' overdue training."""

    digest = YesBox()

    def values(self) -> bool:
        return self.digest.data
