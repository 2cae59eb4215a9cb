"""Ids in URLs: `<int:…>` only matches a number the database's id columns can hold."""

from werkzeug.routing import IntegerConverter

# Ids are 32-bit INTEGER columns on PostgreSQL; SQLite's are 64-bit, so this is the smaller of the two.
LARGEST_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """An id too large to exist is a page that does not exist (404), not a database error (500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)
