"""The renewal tracker's forms: each reads what was sent and gives lms.services.renewal typed values.

A form refuses what it can see alone (a missing title, hours out of range, categories that add up
to more than the hours); the service refuses what needs the database or today's date.
"""

import math

from wtforms import Field, StringField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, ValidationError

from lms.domain.ids import LARGEST_ID
from lms.domain.renewal import DELIVERY_FORMATS, REJECTED, VERIFIED, parse_categories
from lms.services.renewal import (
    CHOOSE_ATTENDEES,
    CHOOSE_REQUIREMENT,
    CertificationTerms,
    Decision,
    EntryTerms,
    TemplateTerms,
    TrainingTerms,
)
from lms.web.forms import DayField, Form, IdsField, WholeNumberField, YesBox, single_spaced

MAX_PERIOD_MONTHS = 120
MAX_ENTRY_HOURS = 100
MAX_TRAINING_HOURS = 24
MAX_TEMPLATE_HOURS = 500
MIN_HOURS = 0.25


class NumberField(Field):
    """A number such as 2 or 1.5, or None for anything else (words, 'nan', 'inf'), so the
    field's own validators write the message people see."""

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                number = float(valuelist[0].strip())
            except ValueError:
                number = None
            self.data = number if number is not None and math.isfinite(number) else None


class CategoriesField(Field):
    """Hours per category, typed as 'ethics: 1, suicide-prevention: 0.5'; a part that cannot be
    read is the field's error, in lms.domain.renewal's words."""

    def process_formdata(self, valuelist):
        self.data = parse_categories(valuelist[0] if valuelist else "")


class ChosenKeysField(Field):
    """The boxes ticked among fixed keys, in the keys' order; a value that is no key is left out."""

    def __init__(self, label=None, validators=None, keys=(), **kwargs):
        super().__init__(label, validators, **kwargs)
        self.keys = tuple(keys)

    def process_formdata(self, valuelist):
        self.data = [key for key in self.keys if key in valuelist]


def text_field(label: str, limit: int) -> StringField:
    return StringField(
        filters=[single_spaced],
        validators=[DataRequired(f"Enter the {label}."), Length(max=limit, message=f"Keep the {label} under {limit} characters.")],
    )


def day_field(label: str) -> DayField:
    return DayField(validators=[DataRequired(f"Enter the {label} like 2027-06-30.")])


def hours_from(label: str, low: float, high: float):
    """A validator: a number of hours from `low` to `high`."""

    def check(form, field):
        if field.data is None:
            raise ValidationError(f"Enter the {label} as a number, such as 2 or 1.5.")
        if not low <= field.data <= high:
            raise ValidationError(f"Enter {label} from {low:g} to {high:g}.")

    return check


def whole_months(form, field):
    """A validator: a renewal period of 1 to MAX_PERIOD_MONTHS whole months."""
    if field.data is not None and not 1 <= field.data <= MAX_PERIOD_MONTHS:
        raise ValidationError(f"Enter the period in months from 1 to {MAX_PERIOD_MONTHS}.")
    if field.data is None or field.data != int(field.data):
        raise ValidationError("Enter the period as a whole number of months.")


def categories_within(categories: Field, hours: Field, message: str) -> bool:
    """Category hours are part of the hours: refuse categories that add up to more.
    False when refused; read once both fields are valid on their own."""
    if categories.errors or hours.errors or sum(categories.data.values()) <= hours.data:
        return True
    categories.errors.append(message)
    return False


class CertificationForm(Form):
    """A certification the learner tracks against one of their agency's requirements."""

    template_id = WholeNumberField(validators=[DataRequired(CHOOSE_REQUIREMENT), NumberRange(max=LARGEST_ID, message=CHOOSE_REQUIREMENT)])
    number = text_field("certification number", 100)
    period_ends_on = day_field("date your current period ends")

    def values(self) -> CertificationTerms:
        return CertificationTerms(self.template_id.data, self.number.data, self.period_ends_on.data)


class EntryForm(Form):
    """Training the learner took somewhere else; the view reads its certificate file."""

    title = text_field("title of the training", 300)
    provider = text_field("provider (who gave the training)", 200)
    taken_on = day_field("date of the training")
    hours = NumberField(validators=[hours_from("hours", MIN_HOURS, MAX_ENTRY_HOURS)])
    categories = CategoriesField(default=dict)
    delivery_format = StringField(validators=[AnyOf(tuple(DELIVERY_FORMATS), message="Choose how the training was given.")])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        within = categories_within(self.categories, self.hours, "The category hours add up to more than the hours of the training.")
        return valid and within

    def values(self) -> EntryTerms:
        return EntryTerms(
            title=self.title.data,
            provider=self.provider.data,
            taken_on=self.taken_on.data,
            hours=self.hours.data,
            categories=self.categories.data,
            delivery_format=self.delivery_format.data,
        )


class TemplateForm(Form):
    """A board's renewal requirement, typed in by an agency admin."""

    name = text_field("name of the board and credential", 200)
    period_months = NumberField(validators=[whole_months])
    total_hours = NumberField(validators=[hours_from("total hours", MIN_HOURS, MAX_TEMPLATE_HOURS)])
    category_minimums = CategoriesField(default=dict)
    delivery_formats = ChosenKeysField(
        keys=DELIVERY_FORMATS, validators=[DataRequired("Choose at least one kind of training whose hours count.")]
    )
    outside_hours_count = YesBox()
    outside_hours_need_verification = YesBox()

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        within = categories_within(self.category_minimums, self.total_hours, "The category minimums add up to more than the total hours.")
        return valid and within

    def values(self) -> TemplateTerms:
        return TemplateTerms(
            name=self.name.data,
            period_months=int(self.period_months.data),
            total_hours=self.total_hours.data,
            category_minimums=self.category_minimums.data,
            delivery_formats=tuple(self.delivery_formats.data),
            outside_hours_count=self.outside_hours_count.data,
            outside_hours_need_verification=self.outside_hours_need_verification.data,
        )


class AttendanceForm(Form):
    """An in-person training the agency held, and who came (the service keeps those on the teams)."""

    title = text_field("title of the training", 300)
    held_on = day_field("date of the training")
    hours = NumberField(validators=[hours_from("hours", MIN_HOURS, MAX_TRAINING_HOURS)])
    categories = CategoriesField(default=dict)
    attendees = IdsField(default=list, validators=[DataRequired(CHOOSE_ATTENDEES)])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        within = categories_within(self.categories, self.hours, "The category hours add up to more than the hours of the training.")
        return valid and within

    def values(self) -> TrainingTerms:
        return TrainingTerms(
            title=self.title.data,
            held_on=self.held_on.data,
            hours=self.hours.data,
            categories=self.categories.data,
            attendee_ids=tuple(self.attendees.data),
        )


class ReviewForm(Form):
    """A reviewer verifies or rejects an external entry; a rejection needs a reason."""

    decision = StringField(validators=[AnyOf((VERIFIED, REJECTED), message="Choose whether to verify or reject the entry.")])
    reason = StringField(filters=[single_spaced])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and self.decision.data == REJECTED and not self.reason.data:
            self.reason.errors.append("Give a reason for rejecting the entry. The learner sees it.")
            return False
        return valid

    def values(self) -> Decision:
        return Decision(self.decision.data, self.reason.data or "")


class AlertsForm(Form):
    """A supervisor's choice of emails about their teams' renewal hours."""

    renewal_alerts = YesBox()
