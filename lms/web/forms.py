"""Forms used by more than one blueprint."""

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """Carries only the CSRF token, for buttons that POST (mark complete, log out)."""
