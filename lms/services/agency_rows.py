"""Reading one row of an agency by its id: the tenant check every lookup from a URL or form needs."""

from lms.domain.ids import LARGEST_ID
from lms.extensions import db


def agency_row(model, row_id: int | None, agency_id: int):
    """The row with this id when it belongs to the agency; None otherwise (the caller answers 404
    or refuses the choice), so no one reaches another agency's rows by guessing ids. An id too
    large for an id column (one read from a slug, say) is no row."""
    row = db.session.get(model, row_id) if row_id is not None and row_id <= LARGEST_ID else None
    return row if row is not None and row.agency_id == agency_id else None
