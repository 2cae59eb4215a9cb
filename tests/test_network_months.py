"""A network's months are UTC months, as its year boundaries are, whatever the database's time zone."""

from datetime import datetime, timezone

import sqlalchemy as sa

from lms.extensions import db
from lms.models import CourseCompletion, User
from lms.services import networks

# Three in the morning UTC on March 1 is still February 28 in Los Angeles.
MARCH_FIRST_UTC = datetime(2026, 3, 1, 3, 0, tzinfo=timezone.utc)


def test_a_completion_counts_in_its_utc_month_in_any_session_time_zone(app, agency, backend):
    with app.app_context():
        person = User(agency_id=agency.id, email="early@example.org", name="Early Riser")
        db.session.add(person)
        db.session.flush()
        db.session.add(
            CourseCompletion(
                user_id=person.id,
                course_slug="starting-out",
                course_title="Starting out",
                course_version="v1",
                completed_at=MARCH_FIRST_UTC,
                ce_hours=1.0,
            )
        )
        db.session.flush()
        if backend == "postgresql":
            db.session.execute(sa.text("SET LOCAL TIME ZONE 'America/Los_Angeles'"))  # until this transaction ends
        facts = networks.completion_facts([agency.id], ["starting-out"], 2026)
        db.session.rollback()
    assert [(fact.month, fact.completions) for fact in facts] == [(3, 1)]
