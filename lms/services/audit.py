"""The admin audit trail: append only."""

from lms.extensions import db
from lms.models import AuditEvent


def record(agency_id: int, actor_id: int | None, action: str, subject: str, **details) -> None:
    db.session.add(AuditEvent(agency_id=agency_id, actor_id=actor_id, action=action, subject=subject, details=details))
