"""INSERTs of thousands of rows at once, on both databases we run on."""

from __future__ import annotations

import sqlalchemy as sa

from lms.extensions import db


def insert_rows(model, rows: list[dict], *returning: str) -> list:
    """INSERT the rows (dicts with the same keys), with one statement compiled once.

    With `returning` (column names), SQLAlchemy sends multi-row INSERT … RETURNING
    statements of up to a thousand rows each, and this returns those columns of every row,
    in no particular order. Without, the driver's executemany sends the rows in one call
    (psycopg pipelines them), which on PostgreSQL costs less than parsing the placeholders
    of large multi-row statements. Python-side column defaults apply.
    """
    if not rows:
        return []  # with no rows, execute() would insert one row of defaults
    table = model.__table__
    if not returning:
        db.session.execute(sa.insert(table), rows)
        return []
    return db.session.execute(sa.insert(table).returning(*(table.c[name] for name in returning)), rows).all()
