"""Template filters for dates and numbers as people say them."""

from datetime import datetime, timedelta, timezone

from lms.domain.audit_text import action_name, describe
from lms.domain.wording import counted


def saved_label(moment: datetime) -> str:
    """'Saved just now.' right after an autosave, else the day it was last saved."""
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    if datetime.now(timezone.utc) - moment < timedelta(minutes=2):
        return "Saved just now."
    return f"Last saved on {long_date(moment)}."


def long_date(moment) -> str:
    return f"{moment:%B} {moment.day}, {moment.year}"


def hours(value: float) -> str:
    return f"{value:g}"


def audit_text(event):
    return describe(event.action, event.subject, event.details)


def init_app(app):
    app.add_template_filter(audit_text)
    app.add_template_filter(counted)
    app.add_template_filter(action_name)
    app.add_template_filter(saved_label)
    app.add_template_filter(long_date)
    app.add_template_filter(hours)
