"""The shared form parts: fields that leave the message to our validators, and checked()."""

from datetime import date

import pytest
from flask import Flask
from wtforms.validators import NumberRange

from lms.services.assignments import RuleTerms
from lms.services.invalid_input import InvalidInput
from lms.web.admin.forms import AssignmentForm, RuleForm
from lms.web.forms import DayField, Form, WholeNumberField

MESSAGE = "Enter a number of days from 1 to 9."


class DaysForm(Form):
    days = WholeNumberField(validators=[NumberRange(1, 9, MESSAGE)], default=3)
    day = DayField()

    def values(self):
        return (self.days.data, self.day.data)


@pytest.fixture
def posted():
    """A function that builds a form from what a browser posted."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=True)
    contexts = []

    def build(form_class, **data):
        context = app.test_request_context(method="POST", data=data)
        context.push()
        contexts.append(context)
        return form_class()

    yield build
    for context in reversed(contexts):
        context.pop()


@pytest.mark.parametrize("text", ["", "abc", "1.5", "-2", "١٢", "1_0"])
def test_a_number_that_is_not_a_whole_number_gets_our_message_only(posted, text):
    with pytest.raises(InvalidInput) as refused:
        posted(DaysForm, days=text).checked()
    assert refused.value.errors == {"days": MESSAGE}


def test_a_whole_number_with_spaces_around_it_is_read(posted):
    assert posted(DaysForm, days=" 7 ", day="2027-03-01").checked() == (7, date(2027, 3, 1))


def test_a_field_left_out_keeps_its_default_and_a_bad_day_is_none(posted):
    assert posted(DaysForm, day="2027-02-30").checked() == (3, None)


def test_the_form_does_not_check_csrf_again(posted):
    """CSRFProtect checks every POST before the view; the form has no token field to fail."""
    assert "csrf_token" not in posted(DaysForm, days="2")._fields


def test_each_choice_needs_the_field_beside_it(posted):
    form = posted(AssignmentForm, target="team", due_rule="date", renew_yearly="yes", renew_days_before="181")
    with pytest.raises(InvalidInput) as refused:
        form.checked()
    assert refused.value.errors == {
        "course": "Choose a course.",
        "team_id": "Choose a team.",
        "due_on": "Enter the due date as year-month-day, for example 2027-03-01.",
        "renew_days_before": "Enter a number of days from 0 to 180.",
    }


def test_only_the_chosen_target_and_due_rule_reach_the_service(posted):
    form = posted(RuleForm, target="role", role="peer", team_id="4", due_rule="after-joining", due_days="30", due_on="2027-01-01")
    assert form.checked() == RuleTerms(role="peer", due_days_after_joining=30)


def test_a_missing_choice_is_named(posted):
    with pytest.raises(InvalidInput) as refused:
        posted(RuleForm).checked()
    assert set(refused.value.errors) == {"target", "due_rule"}
