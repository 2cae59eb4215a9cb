"""Ids in URLs: `<int:…>` only matches a number the database's id columns can hold."""

from werkzeug.routing import IntegerConverter

from lms.domain.ids import LARGEST_ID


class DatabaseIdConverter(IntegerConverter):
    """An id too large to exist is a page that does not exist (404), not a database error (500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)
