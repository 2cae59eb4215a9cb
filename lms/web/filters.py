"""Template filters for dates and numbers as people say them, and links in plain text."""

import re
from datetime import datetime, timedelta, timezone

from markupsafe import Markup, escape

from lms.domain.audit_text import action_name, describe
from lms.domain.wording import counted

# A web address, without the full stop or bracket that may end the sentence around it.
WEB_ADDRESS = re.compile(r"https?://[^\s<>\"]*[^\s<>\".,;:)]")


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


def linked_addresses(text: str) -> Markup:
    """Plain text, escaped, with each web address (a DOI, a source's page) made a link."""
    parts, start = [], 0
    for match in WEB_ADDRESS.finditer(text):
        parts += [escape(text[start : match.start()]), Markup('<a href="{0}">{0}</a>').format(match.group(0))]
        start = match.end()
    parts.append(escape(text[start:]))
    return Markup("").join(parts)


def init_app(app):
    app.add_template_filter(audit_text)
    app.add_template_filter(counted)
    app.add_template_filter(action_name)
    app.add_template_filter(linked_addresses)
    app.add_template_filter(saved_label)
    app.add_template_filter(long_date)
    app.add_template_filter(hours)
    # Global, so that a block rendered on its own for htmx has them too.
    forms = app.jinja_env.get_template("macros/forms.html").module
    app.jinja_env.globals.update(error_summary=forms.error_summary, field_error=forms.field_error, described_by=forms.described_by)
