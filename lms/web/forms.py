"""What every form shares. WTForms reads and checks what was sent; the service gets typed values.

A view builds the area's form (`lms/web/<area>/forms.py`), asks it for `checked()` values and
hands them to a service. A field the form refuses and a rule the service refuses (an email
already taken, say) both arrive as `InvalidInput`, so the view has one error path and the
template one way to show errors (`error_summary` and `field_error` in `macros/forms.html`).
"""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, StringField, ValidationError
from wtforms.validators import DataRequired, Length
from wtforms.widgets import TextInput

from lms.domain.ids import LARGEST_ID
from lms.services.certificate_export import ExportFilters
from lms.services.certificates import EXPORT_STATUSES
from lms.services.invalid_input import InvalidInput
from lms.services.licences import FIELDS as LICENCE_FIELDS
from lms.services.licences import LicenceValues


class Form(FlaskForm):
    """A form whose `values()` (each form defines its own) builds the typed values, a dataclass,
    from fields that are all valid."""

    class Meta:
        # CSRFProtect checks every POST before any view runs; a second check per form adds nothing.
        csrf = False

    def checked(self):
        """The typed values for the service, or InvalidInput with the first message of each field."""
        if not self.validate():
            raise InvalidInput({name: messages[0] for name, messages in self.errors.items()})
        return self.values()


def stripped(text: str | None) -> str | None:
    """A WTForms filter: the text without the spaces around it."""
    return text.strip() if isinstance(text, str) else text


def unix_lines(text: str | None) -> str | None:
    """A WTForms filter: line breaks as a browser sends them (CR LF) made plain LF, so a length
    limit counts a line break once, as the text box's maxlength does."""
    return text.replace("\r\n", "\n") if isinstance(text, str) else text


class WholeNumberField(Field):
    """A whole number, or None for anything else, so the field's own validators write the message
    people see (WTForms' IntegerField would add its own "Not a valid integer value")."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if valuelist:  # a field left out of the form keeps its default
            text = valuelist[0].strip()
            self.data = int(text) if text.isascii() and text.isdigit() else None

    def _value(self):
        return self.raw_data[0] if self.raw_data else ("" if self.data is None else str(self.data))


class DayField(Field):
    """A day written year-month-day (what a date input sends), or None for anything else."""

    widget = TextInput(input_type="date")

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = date.fromisoformat(valuelist[0].strip())
            except ValueError:
                self.data = None

    def _value(self):
        return self.raw_data[0] if self.raw_data else (self.data.isoformat() if self.data else "")


class YesBox(BooleanField):
    """A checkbox whose value is "yes": ticked only when that is what was sent."""

    def process_formdata(self, valuelist):
        self.data = bool(valuelist) and valuelist[0] == "yes"


class IdsField(Field):
    """The ids of the boxes ticked (checkboxes sharing a name), each once and in order; anything
    that is not an id a row could have is left out."""

    def process_formdata(self, valuelist):
        self.data = sorted({int(value) for value in valuelist if value.isascii() and value.isdigit() and int(value) <= LARGEST_ID})


# Licences: a learner adds their own on their profile, an admin on the person's page.


def single_spaced(text: str | None) -> str | None:
    """A WTForms filter: the text with each run of spaces (line breaks too) made one space."""
    return " ".join(text.split()) if isinstance(text, str) else text


def _licence_text(name: str) -> StringField:
    label, limit = next((label, limit) for field, label, limit in LICENCE_FIELDS if field == name)
    what = label.split(",")[0].lower()
    return StringField(
        filters=[single_spaced],
        validators=[DataRequired(f"Enter the {what}."), Length(max=limit, message=f"Keep this under {limit} characters.")],
    )


class LicenceForm(Form):
    kind = _licence_text("kind")
    number = _licence_text("number")
    issuer = _licence_text("issuer")
    expires_on = DayField()

    def validate_expires_on(self, field):
        if field.data is None and (field.raw_data or [""])[0].strip():
            raise ValidationError("Enter the expiry date like 2027-03-31, or leave it empty.")

    def values(self) -> LicenceValues:
        return LicenceValues(self.kind.data, self.number.data, self.issuer.data, self.expires_on.data)


# Audit exports and reports: filters read from a query string.


def given(field) -> bool:
    """Whether the field was sent with something in it (a field left empty means "any")."""
    return bool(field.raw_data and field.raw_data[0].strip())


class ExportFilterForm(Form):
    """Which certificates an audit export holds, from the query string (admins and supervisors).

    A team outside `team_ids` is refused, so no one exports beyond their teams. Without a
    team, an admin (`whole_agency`) exports the whole agency and a supervisor all of `team_ids`."""

    team = WholeNumberField()
    course = StringField(filters=[stripped])
    date_from = DayField()
    date_to = DayField()
    status = StringField(filters=[stripped])

    def __init__(self, team_ids: set[int], catalog, whole_agency: bool, **kwargs):
        super().__init__(**kwargs)
        self.team_ids, self.catalog, self.whole_agency = team_ids, catalog, whole_agency

    def validate_team(self, field):
        if given(field) and field.data not in self.team_ids:
            raise ValidationError("Choose one of the teams in the list.")

    def validate_course(self, field):
        if field.data and self.catalog.get(field.data) is None:
            raise ValidationError("Choose one of the courses in the list.")

    def validate_date_from(self, field):
        if given(field) and field.data is None:
            raise ValidationError("Enter a date like 2026-03-31.")

    def validate_date_to(self, field):
        if given(field) and field.data is None:
            raise ValidationError("Enter a date like 2026-03-31.")
        if field.data and self.date_from.data and self.date_from.data > field.data:
            raise ValidationError("The end date must be on or after the start date.")

    def validate_status(self, field):
        if field.data and field.data not in EXPORT_STATUSES:
            raise ValidationError("Choose one of the statuses in the list.")

    def values(self) -> ExportFilters:
        if given(self.team):
            team_ids = [self.team.data]
        else:
            team_ids = None if self.whole_agency else sorted(self.team_ids)
        return ExportFilters(
            team_ids,
            self.course.data or "",
            self.date_from.data,
            self.date_to.data,
            self.status.data or "",
            licence_details=self.whole_agency,
        )
