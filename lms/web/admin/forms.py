"""The admin area's forms: each reads what was sent and gives its service typed values."""

import re
from datetime import date

from flask_wtf.file import FileField, FileRequired
from wtforms import Field, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField, ValidationError
from wtforms.utils import unset_value
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, StopValidation

from lms.domain.data_rights import CERTIFICATE_RETENTION
from lms.domain.roles import ROLES, SUPERVISOR
from lms.domain.user_import import MAX_FILE_BYTES, MAX_NAME_LENGTH, clean_email
from lms.services.accounts import AccountError, normalize_email
from lms.services.agency_blocks import MAX_CHARS as MAX_BLOCK_CHARS
from lms.services.agency_courses import MAX_ZIP_BYTES
from lms.services.agency_settings import (
    MAX_LENGTH,
    MAX_ROLE_CARD,
    NUMBER_FIELDS,
    PRIVACY_NUMBER_FIELDS,
    SETTINGS_FIELDS,
    AgencySettings,
    CourseApproval,
)
from lms.services.assignments import MAX_DAYS, MAX_RENEWAL_NOTICE_DAYS, RuleTerms
from lms.services.audit import AuditFilters
from lms.services.learning_paths import MAX_STEPS, NewPath
from lms.services.lrs_settings import MAX_KEY, MAX_SECRET, LrsAccess
from lms.services.people import PersonValues, TeamValues
from lms.services.user_import import Confirmation, Upload
from lms.web.forms import DayField, Form, IdsField, WholeNumberField, YesBox, given, single_spaced, stripped, unix_lines

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
    renew_yearly = YesBox()
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


# Settings, approvals and reports

PHONE = re.compile(r"\+?[0-9 ().-]{3,39}")  # digits, with the spaces, dots, dashes and brackets people write
NUMBER_BOUNDS = {field: (low, high) for field, _label, low, high in (*NUMBER_FIELDS, *PRIVACY_NUMBER_FIELDS)}
SHORT_TEXT = Length(max=MAX_LENGTH, message=f"Keep this under {MAX_LENGTH} characters.")


def left_out_stays(form, field):
    """A field left out of the form is not checked: the service keeps what is saved."""
    if not field.raw_data:
        raise StopValidation()


def whole_number_for(field_name: str) -> NumberRange:
    low, high = NUMBER_BOUNDS[field_name]
    return NumberRange(low, high, message=f"Enter a whole number from {low} to {high}.")


def email_or_empty(form, field):
    if field.data:
        try:
            normalize_email(field.data)
        except AccountError:
            raise ValidationError("Enter an email address, like help@youragency.org, or leave this empty.") from None


def phone_or_empty(form, field):
    phone = field.data
    if phone and not (PHONE.fullmatch(phone) and sum(character.isdigit() for character in phone) >= 3):
        raise ValidationError("Enter a phone number with digits, like 555-010-0199, or leave this empty.")


class SettingsForm(Form):
    """The agency's settings. The privacy settings may be left out of what is sent: they then stay as they are."""

    name = StringField(filters=[stripped], validators=[DataRequired("The agency needs a name."), SHORT_TEXT])
    certificate_signer_name = StringField(filters=[stripped], validators=[SHORT_TEXT])
    certificate_signer_title = StringField(filters=[stripped], validators=[SHORT_TEXT])
    ce_provider = StringField(filters=[stripped], validators=[SHORT_TEXT])
    ce_approval_number = StringField(filters=[stripped], validators=[SHORT_TEXT])
    ce_approving_body = StringField(filters=[stripped], validators=[SHORT_TEXT])
    ce_provider_contact = StringField(filters=[stripped], validators=[SHORT_TEXT])
    support_email = StringField(filters=[stripped], validators=[email_or_empty, SHORT_TEXT])
    support_phone = StringField(filters=[stripped], validators=[phone_or_empty, SHORT_TEXT])
    default_pass_mark = WholeNumberField(validators=[whole_number_for("default_pass_mark")])
    reminder_days_before = WholeNumberField(validators=[whole_number_for("reminder_days_before")])
    certificate_retention = StringField(
        validators=[left_out_stays, AnyOf(CERTIFICATE_RETENTION, message="Choose what happens to an erased person’s certificates.")]
    )
    certificate_retention_years = WholeNumberField(validators=[left_out_stays, whole_number_for("certificate_retention_years")])
    writing_retention_days = WholeNumberField(validators=[left_out_stays, whole_number_for("writing_retention_days")])

    def values(self) -> AgencySettings:
        text = {field: self[field].data or "" for field, _label in SETTINGS_FIELDS}
        if text["support_email"]:
            text["support_email"] = normalize_email(text["support_email"])
        return AgencySettings(
            **text,
            default_pass_mark=self.default_pass_mark.data,
            reminder_days_before=self.reminder_days_before.data,
            certificate_retention=self.certificate_retention.data,
            certificate_retention_years=self.certificate_retention_years.data,
            writing_retention_days=self.writing_retention_days.data,
        )


class CourseApprovalForm(Form):
    """One course's CE approval: every part is needed."""

    course = StringField(filters=[stripped])
    provider = StringField(filters=[single_spaced], validators=[DataRequired("Enter the CE provider name."), SHORT_TEXT])
    approval_number = StringField(filters=[single_spaced], validators=[DataRequired("Enter the CE approval number."), SHORT_TEXT])
    approving_body = StringField(filters=[single_spaced], validators=[DataRequired("Enter the approving body."), SHORT_TEXT])

    def values(self) -> CourseApproval:
        return CourseApproval(self.provider.data, self.approval_number.data, self.approving_body.data)


class RoleCardForm(Form):
    role_card = TextAreaField(
        filters=[stripped], validators=[Length(max=MAX_ROLE_CARD, message=f"Keep the role card under {MAX_ROLE_CARD:,} characters.")]
    )

    def values(self) -> str:
        return self.role_card.data or ""


class LrsForm(Form):
    """The agency's Learning Record Store. Its address is checked by the service, which knows
    whether this site may send to private addresses."""

    endpoint = StringField(filters=[stripped])
    key = StringField(
        filters=[stripped],
        validators=[
            DataRequired("Enter the key (user name) the LRS gave you."),
            Length(max=MAX_KEY, message=f"Keep the key under {MAX_KEY} characters."),
        ],
    )
    secret = PasswordField(validators=[Length(max=MAX_SECRET, message=f"Keep the secret under {MAX_SECRET} characters.")])

    def values(self) -> LrsAccess:
        return LrsAccess(self.endpoint.data or "", self.key.data, self.secret.data or "")


STEP_FIELDS = [f"step-{number}" for number in range(1, MAX_STEPS + 1)]


class CourseStepsField(Field):
    """A learning path's courses in order, read from the lists step-1, step-2, …; the steps left empty are skipped."""

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(None, data, extra_filters)
        self.raw_data = [formdata.get(name) or "" for name in STEP_FIELDS] if formdata is not None else []
        self.data = [slug for slug in self.raw_data if slug]


class LearningPathForm(Form):
    """A new learning path: a name and up to MAX_STEPS courses of the catalog, each once."""

    title = StringField(
        filters=[stripped],
        validators=[
            DataRequired("Enter a name for the path, such as Peer orientation."),
            Length(max=200, message="Enter a name for the path, such as Peer orientation."),
        ],
    )
    steps = CourseStepsField()

    def __init__(self, catalog, **kwargs):
        super().__init__(**kwargs)
        self.catalog = catalog

    def validate_steps(self, field):
        slugs = field.data
        if not slugs:
            raise ValidationError("Choose at least one course.")
        if len(set(slugs)) != len(slugs):
            raise ValidationError("Each course can be in the path once.")
        if any(self.catalog.get(slug) is None for slug in slugs):
            raise ValidationError(f"Choose up to {MAX_STEPS} courses from the list.")

    def values(self) -> NewPath:
        return NewPath(self.title.data, tuple(self.steps.data))


class ErasureForm(Form):
    """The name the admin types to confirm an erasure; the service compares it with the person's."""

    confirm_name = StringField()

    def values(self) -> str:
        return self.confirm_name.data or ""


class RevokeForm(Form):
    reason = TextAreaField(
        filters=[stripped], validators=[DataRequired("Give a reason for revoking the certificate; it is kept in the audit log.")]
    )

    def values(self) -> str:
        return self.reason.data


class AgencyBlockForm(Form):
    """An agency's text for one block of the lessons. The "preview" action shows it without saving."""

    text = TextAreaField(
        filters=[unix_lines, stripped],
        validators=[Length(max=MAX_BLOCK_CHARS, message=f"Keep it under {MAX_BLOCK_CHARS:,} characters.")],
    )
    action = StringField()

    def values(self) -> str:
        return self.text.data or ""


class NewAgencyCourseForm(Form):
    """An agency's new course: its web address (checked by the service, which knows the addresses
    in use) and its title."""

    slug = StringField(filters=[stripped])
    title = StringField(filters=[stripped], validators=[DataRequired("Enter a title.")])

    def values(self) -> tuple[str, str]:
        return self.slug.data or "", self.title.data


class CourseUploadForm(Form):
    """A course folder as a ZIP, and the web address to put it at (or the folder's name)."""

    zip = FileField(validators=[FileRequired("Choose a ZIP file of the course folder.")])
    slug = StringField(filters=[stripped])

    def values(self) -> tuple[bytes, str]:
        """The ZIP's bytes, one more than the service accepts at most (so it can say the file is too large)."""
        with self.zip.data.stream:  # a large upload is spooled to a temporary file: close it
            data = self.zip.data.read(MAX_ZIP_BYTES + 1)
        return data, self.slug.data or ""


class ResendInvitationsForm(Form):
    person = IdsField(default=list)

    def validate_person(self, field):
        if not field.data:
            raise ValidationError("Tick at least one person to send their invitation again.")

    def values(self) -> list[int]:
        return self.person.data


# Dates outside these years are typing mistakes; they would also overflow date arithmetic.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(9998, 12, 31)
MAX_PAGE = 100_000
MAX_ACTOR_ID = 999_999_999  # a number too big for the database is no one


def day_between_first_and_last(form, field):
    label = field.name.title()
    if given(field) and field.data is None:
        raise ValidationError(f"“{label}” must be a date, like 2026-03-01.")
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(f"“{label}” must be a date between {FIRST_DAY.year} and {LAST_DAY.year}.")


class AuditFilterForm(Form):
    """The audit log's filters, from the query string. An actor that is not an id shows everyone's actions."""

    action = StringField()
    actor = WholeNumberField()
    since = DayField(name="from", validators=[day_between_first_and_last])
    until = DayField(name="to", validators=[day_between_first_and_last])
    page = WholeNumberField(
        default=1, validators=[NumberRange(1, MAX_PAGE, message=f"The page number must be a whole number from 1 to {MAX_PAGE:,}.")]
    )

    def validate_until(self, field):
        if field.data and self.since.data and self.since.data > field.data:
            raise ValidationError("“From” must be on or before “To”.")

    def values(self) -> AuditFilters:
        actor_id = self.actor.data if self.actor.data is not None and self.actor.data <= MAX_ACTOR_ID else None
        return AuditFilters(self.action.data or "", actor_id, self.since.data, self.until.data, self.page.data)
