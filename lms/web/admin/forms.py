"""The admin area's forms: each reads what was sent and gives its service typed values."""

from wtforms import BooleanField, StringField
from wtforms.validators import AnyOf, InputRequired

from lms.services.assignments import MAX_DAYS, MAX_RENEWAL_NOTICE_DAYS, RuleTerms
from lms.web.forms import DayField, Form, WholeNumberField, stripped

TARGETS = ("role", "team", "person")
DUE_RULES = ("after-joining", "date", "none")


class RuleForm(Form):
    """Who must take a course and by when: for one course, or for each course of a learning path."""

    target = StringField(validators=[AnyOf(TARGETS, message="Choose who must take the course: a role, a team or one person.")])
    role = StringField()
    team_id = WholeNumberField()
    user_id = WholeNumberField()
    due_rule = StringField(validators=[AnyOf(DUE_RULES, message="Choose when the course is due.")])
    due_on = DayField()
    due_days = WholeNumberField()
    renew_yearly = BooleanField()
    renew_days_before = WholeNumberField(default=30)

    def validate(self, extra_validators=None):
        """Each choice needs the field beside it: a team for "a team", a date for "on a date"."""
        valid = super().validate(extra_validators)
        target, due_rule, renew = self.target.data, self.due_rule.data, self.renew_yearly.data
        missing = [
            (self.role, target == "role" and not self.role.data, "Choose a role."),
            (self.team_id, target == "team" and self.team_id.data is None, "Choose a team."),
            (self.user_id, target == "person" and self.user_id.data is None, "Choose a person."),
            (
                self.due_on,
                due_rule == "date" and self.due_on.data is None,
                "Enter the due date as year-month-day, for example 2027-03-01.",
            ),
            (
                self.due_days,
                due_rule == "after-joining" and not 1 <= (self.due_days.data or 0) <= MAX_DAYS,
                f"Enter a number of days from 1 to {MAX_DAYS}.",
            ),
            (
                self.renew_days_before,
                renew
                and not 0 <= (self.renew_days_before.data if self.renew_days_before.data is not None else -1) <= MAX_RENEWAL_NOTICE_DAYS,
                f"Enter a number of days from 0 to {MAX_RENEWAL_NOTICE_DAYS}.",
            ),
        ]
        for field, is_missing, message in missing:
            if is_missing:
                field.errors.append(message)
        return valid and not any(is_missing for _, is_missing, _ in missing)

    def values(self) -> RuleTerms:
        target, due_rule = self.target.data, self.due_rule.data
        return RuleTerms(
            role=self.role.data if target == "role" else None,
            team_id=self.team_id.data if target == "team" else None,
            user_id=self.user_id.data if target == "person" else None,
            due_on=self.due_on.data if due_rule == "date" else None,
            due_days_after_joining=self.due_days.data if due_rule == "after-joining" else None,
            renew_yearly=self.renew_yearly.data,
            renew_days_before=self.renew_days_before.data if self.renew_yearly.data else 30,
        )


class AssignmentForm(RuleForm):
    course = StringField(filters=[stripped], validators=[InputRequired("Choose a course.")])
