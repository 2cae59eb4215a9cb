"""INSERT … ON CONFLICT for both databases we run on (SQLite and PostgreSQL)."""

from sqlalchemy.dialects import postgresql, sqlite

from lms.extensions import db


def insert_on_conflict(model):
    """An insert() for the session's database dialect that supports on_conflict_do_*."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)
