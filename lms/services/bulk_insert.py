"""Multi-row INSERTs for writing thousands of rows at once, on both databases we run on."""

from __future__ import annotations

import sqlalchemy as sa

from lms.extensions import db

# A thousand rows of a few columns each stay far below the bound parameters either database
# takes in one statement (SQLite 32,766, PostgreSQL 65,535).
ROWS_PER_INSERT = 1000


def insert_rows(model, rows: list[dict], *returning) -> list:
    """INSERT the rows (dicts with the same keys), a thousand per statement; the `returning`
    columns of every row, in no particular order. Python-side column defaults apply."""
    returned = []
    for start in range(0, len(rows), ROWS_PER_INSERT):
        statement = sa.insert(model).values(rows[start : start + ROWS_PER_INSERT])
        if returning:
            returned += db.session.execute(statement.returning(*returning)).all()
        else:
            db.session.execute(statement)
    return returned
