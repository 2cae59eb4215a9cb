"""Counting the SQL statements the app sends: the tests of query budgets and of N+1 queries."""

from contextlib import contextmanager

from sqlalchemy import event

from lms.extensions import db


@contextmanager
def recorded_statements(app):
    """Every SQL statement sent through the app's engine while the block runs, as text."""
    statements = []
    with app.app_context():
        engine = db.engine

    def record(_connection, _cursor, statement, *_):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_of(app, client, url, headers=None) -> list[str]:
    """The statements one GET of the page sends (which must answer 200)."""
    with recorded_statements(app) as statements:
        assert client.get(url, headers=headers or {}).status_code == 200
    return statements
