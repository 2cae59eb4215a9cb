"""The network pages' forms: each reads what was sent and gives its service typed values."""

from datetime import date

from wtforms import StringField
from wtforms.validators import DataRequired

from lms.services.networks import TotalsFilters
from lms.web.forms import Form, WholeNumberField, stripped

FIRST_YEAR = 2020


def lower_case(text: str | None) -> str | None:
    """A WTForms filter: the text in lower case (slugs are)."""
    return text.lower() if isinstance(text, str) else text


class InviteAgencyForm(Form):
    slug = StringField(filters=[stripped, lower_case], validators=[DataRequired("Enter the agency's short name (slug).")])

    def values(self) -> str:
        return self.slug.data


class TotalsFilterForm(Form):
    """The totals page's filters, from the query string. They never refuse: a year out of range
    shows this year, an agency or course that is not a number or not in the network shows none."""

    year = WholeNumberField()
    agency = WholeNumberField()
    course = StringField(filters=[stripped])

    def __init__(self, today: date, **kwargs):
        super().__init__(**kwargs)
        self.today = today

    def values(self) -> TotalsFilters:
        year = self.year.data
        return TotalsFilters(
            year=year if year is not None and FIRST_YEAR <= year <= self.today.year else self.today.year,
            agency=self.agency.data,
            course=self.course.data or None,
        )
