"""The admin area's forms: each reads what was sent and gives its service typed values."""

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, ValidationError
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from lms.domain.roles import ROLES, SUPERVISOR
from lms.domain.user_import import MAX_FILE_BYTES, MAX_NAME_LENGTH, clean_email
from lms.services.assignments import MAX_DAYS, MAX_RENEWAL_NOTICE_DAYS, RuleTerms
from lms.services.people import PersonValues, TeamValues
from lms.services.user_import import Confirmation, Upload
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


# People, teams and licences


class PersonForm(Form):
    """A person's page. The teams it offers are the ones the view gives (people.usable_teams)."""

    name = StringField(
        filters=[stripped],
        validators=[
            DataRequired("Enter the person’s name."),
            Length(max=MAX_NAME_LENGTH, message=f"Keep the name under {MAX_NAME_LENGTH} characters."),
        ],
    )
    email = StringField()
    roles = SelectMultipleField(
        choices=list(ROLES), invalid_choice_message="Choose roles from the list.", validators=[DataRequired("Choose at least one role.")]
    )
    team = SelectField(default="", invalid_choice_message="Choose a team from the list.")
    supervised_teams = SelectMultipleField(invalid_choice_message="Choose teams from the list.")
    joined_on = DayField(validators=[DataRequired("Enter the date they joined as year-month-day, for example 2025-03-14.")])

    def __init__(self, teams, **kwargs):
        super().__init__(**kwargs)
        self.teams_by_id = {str(team.id): team for team in teams}
        self.team.choices = ["", *self.teams_by_id]  # "" is "No team"
        self.supervised_teams.choices = list(self.teams_by_id)

    def validate_email(self, field):
        """The address as it is kept: lower case, checked for its form (not whose it is)."""
        try:
            field.data = clean_email(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def validate_supervised_teams(self, field):
        if field.data and SUPERVISOR not in self.roles.data:
            raise ValidationError("Only supervisors supervise teams. Tick the supervisor role, or untick the teams.")

    def values(self) -> PersonValues:
        return PersonValues(
            name=self.name.data,
            email=self.email.data,
            roles=frozenset(self.roles.data),
            team=self.teams_by_id.get(self.team.data),
            supervised_teams=tuple(self.teams_by_id[team_id] for team_id in dict.fromkeys(self.supervised_teams.data)),
            joined_on=self.joined_on.data,
        )


class TeamForm(Form):
    """A team's name and, on its own page, its supervisors (from the choices the view gives)."""

    name = StringField(
        filters=[stripped],
        validators=[
            DataRequired("Enter a name for the team."),
            Length(max=MAX_NAME_LENGTH, message=f"Keep the team name under {MAX_NAME_LENGTH} characters."),
        ],
    )
    supervisors = SelectMultipleField(invalid_choice_message="Choose supervisors from the list.")

    def __init__(self, supervisor_choices=(), **kwargs):
        super().__init__(**kwargs)
        self.supervisors_by_id = {str(user.id): user for user in supervisor_choices}
        self.supervisors.choices = list(self.supervisors_by_id)

    def values(self) -> TeamValues:
        chosen = dict.fromkeys(self.supervisors.data)
        return TeamValues(self.name.data, tuple(self.supervisors_by_id[user_id] for user_id in chosen))


class ImportUploadForm(Form):
    file = FileField(validators=[FileRequired("Choose a CSV file to upload.")])

    def values(self) -> Upload:
        # Read one byte past the limit: enough to tell the file is too large, without reading it all.
        return Upload(self.file.data.filename, self.file.data.stream.read(MAX_FILE_BYTES + 1))


class ImportConfirmForm(Form):
    """The preview's confirmation. Any change to the sealed file is found by the service."""

    upload = StringField(default="")
    rows = StringField()  # "valid" for only the valid lines; otherwise every line, or nothing

    def values(self) -> Confirmation:
        return Confirmation(self.upload.data, self.rows.data == "valid")
