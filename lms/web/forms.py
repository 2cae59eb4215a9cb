"""What every form shares. WTForms reads and checks what was sent; the service gets typed values.

A view builds the area's form (`lms/web/<area>/forms.py`), asks it for `checked()` values and
hands them to a service. A field the form refuses and a rule the service refuses (an email
already taken, say) both arrive as `InvalidInput`, so the view has one error path and the
template one way to show errors (`error_summary` and `field_error` in `macros/forms.html`).
"""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import Field, StringField, ValidationError
from wtforms.validators import DataRequired, Length
from wtforms.widgets import TextInput

from lms.services.invalid_input import InvalidInput
from lms.services.licences import FIELDS as LICENCE_FIELDS
from lms.services.licences import LicenceValues


class Form(FlaskForm):
    class Meta:
        # CSRFProtect checks every POST before any view runs; a second check per form adds nothing.
        csrf = False

    def checked(self):
        """The typed values for the service, or InvalidInput with the first message of each field."""
        if not self.validate():
            raise InvalidInput({name: messages[0] for name, messages in self.errors.items()})
        return self.values()

    def values(self):
        """The form's typed values (a dataclass), built once every field is valid."""
        raise NotImplementedError


def stripped(text: str | None) -> str | None:
    """A WTForms filter: the text without the spaces around it."""
    return text.strip() if isinstance(text, str) else text


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
