"""The supervisor pages' form: it reads what was sent and gives the view typed values."""

from urllib.parse import parse_qsl

from wtforms import StringField

from lms.web.forms import Form

MATRIX_FILTERS = ("team", "course", "status", "sort", "overdue", "all")  # the team table's query string


class ReminderForm(Form):
    """A reminder to one person. It carries the team table's query string, to go back to the table as it was filtered."""

    filters = StringField()

    def values(self) -> dict[str, str]:
        """The table's filters; anything else in the query string is left out."""
        return {name: value for name, value in parse_qsl(self.filters.data or "") if name in MATRIX_FILTERS}
