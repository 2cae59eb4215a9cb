"""The profile page's own form; its licence form is the shared LicenceForm of lms.web.forms."""

from wtforms import PasswordField, ValidationError
from wtforms.validators import Length

from lms.services.accounts import MIN_PASSWORD_LENGTH
from lms.services.licences import PasswordChange
from lms.web.forms import Form


class PasswordForm(Form):
    current_password = PasswordField()
    new_password = PasswordField(validators=[Length(min=MIN_PASSWORD_LENGTH, message=f"Use at least {MIN_PASSWORD_LENGTH} characters.")])
    new_password_again = PasswordField()

    def validate_new_password_again(self, field):
        # Fields are checked in order: a new password that is too short is the one thing to fix first.
        if not self.new_password.errors and (field.data or "") != (self.new_password.data or ""):
            raise ValidationError("The two new passwords are not the same.")

    def values(self) -> PasswordChange:
        return PasswordChange(self.current_password.data or "", self.new_password.data)
