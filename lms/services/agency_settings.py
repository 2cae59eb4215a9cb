"""An agency's own settings, changed by its admins (and audit-logged)."""

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Agency, CourseAccreditation, User
from lms.services import audit

SETTINGS_FIELDS = (
    ("name", "Agency name"),
    ("certificate_signer_name", "Name of the person who signs certificates"),
    ("certificate_signer_title", "Their job title"),
    ("ce_provider", "CE provider name"),
    ("ce_approval_number", "CE approval number"),
    ("ce_approving_body", "Approving body"),
    ("ce_provider_contact", "CE provider contact (email, phone or web address), printed on CE certificates"),
)
# Whole-number settings: (field, label, lowest, highest)
NUMBER_FIELDS = (
    ("default_pass_mark", "Knowledge check pass mark, in percent, for courses that do not set their own", 50, 100),
    ("reminder_days_before", "Send reminder emails this many days before training is due", 1, 60),
)
APPROVAL_FIELDS = ("ce_provider", "ce_approval_number", "ce_approving_body")
MAX_LENGTH = 200


class SettingsError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def update_settings(agency: Agency, actor: User, values: dict[str, str]) -> None:
    cleaned = {field: (values.get(field) or "").strip() for field, _ in SETTINGS_FIELDS}
    errors = {}
    if not cleaned["name"]:
        errors["name"] = "The agency needs a name."
    for field, value in cleaned.items():
        if len(value) > MAX_LENGTH:
            errors[field] = f"Keep this under {MAX_LENGTH} characters."
    approval = [cleaned[field] for field in APPROVAL_FIELDS]
    if any(approval) and not all(approval):
        errors["ce_provider"] = (
            "A CE approval statement needs all three parts: provider, approval number and approving body. "
            "Leave all three empty if your agency holds no approval."
        )
    numbers = {}
    for field, label, low, high in NUMBER_FIELDS:
        text = (values.get(field) or "").strip()
        if not text.isdigit() or not low <= int(text) <= high:
            errors[field] = f"Enter a whole number from {low} to {high}."
        else:
            numbers[field] = int(text)
    if errors:
        raise SettingsError(errors)
    changes = {}
    for field, value in numbers.items():
        if getattr(agency, field) != value:
            changes[field] = {"from": getattr(agency, field), "to": value}
            setattr(agency, field, value)
    for field, value in cleaned.items():
        new = value or None if field != "name" else value
        if getattr(agency, field) != new:
            changes[field] = {"from": getattr(agency, field), "to": new}
            setattr(agency, field, new)
    if changes:
        audit.record(agency.id, actor.id, "settings.update", agency.name, changes=changes)


LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
MAX_LOGO_BYTES = 300_000


def set_logo(agency: Agency, actor: User, data: bytes) -> None:
    """Store a PNG or JPEG logo, checked by its first bytes, not by its file name."""
    mimetype = next((kind for magic, kind in LOGO_TYPES.items() if data.startswith(magic)), None)
    if mimetype is None:
        raise SettingsError({"logo": "The logo must be a PNG or JPEG picture."})
    if len(data) > MAX_LOGO_BYTES:
        raise SettingsError({"logo": f"The logo must be smaller than {MAX_LOGO_BYTES // 1000} KB (this one is {len(data) // 1000} KB)."})
    agency.logo, agency.logo_mimetype = data, mimetype
    audit.record(agency.id, actor.id, "settings.logo", agency.name, size=len(data), type=mimetype)


def update_role_card(agency: Agency, actor: User, markdown_text: str) -> None:
    text = (markdown_text or "").strip()
    if len(text) > 10_000:
        raise SettingsError({"role_card": "Keep the role card under 10,000 characters."})
    agency.role_card_markdown = text or None
    audit.record(agency.id, actor.id, "role_card.update", agency.name, characters=len(text))


COURSE_APPROVAL_FIELDS = (("provider", "CE provider name"), ("approval_number", "CE approval number"),
                          ("approving_body", "Approving body"))


def course_approvals(agency_id: int) -> dict[str, CourseAccreditation]:
    rows = db.session.scalars(sa.select(CourseAccreditation).where(CourseAccreditation.agency_id == agency_id))
    return {row.course_slug: row for row in rows}


def set_course_approval(agency: Agency, actor: User, course_slug: str, values) -> None:
    """A CE approval for one course; it wins over the agency-wide one for certificates issued from now on."""
    cleaned = {field: " ".join((values.get(field) or "").split()) for field, _ in COURSE_APPROVAL_FIELDS}
    errors = {field: f"Enter the {label.lower()}." for field, label in COURSE_APPROVAL_FIELDS if not cleaned[field]}
    errors.update({field: f"Keep this under {MAX_LENGTH} characters." for field, value in cleaned.items()
                   if len(value) > MAX_LENGTH})
    if errors:
        raise SettingsError(errors)
    row = course_approvals(agency.id).get(course_slug)
    if row is None:
        row = CourseAccreditation(agency_id=agency.id, course_slug=course_slug)
        db.session.add(row)
    for field, value in cleaned.items():
        setattr(row, field, value)
    db.session.flush()
    audit.record(agency.id, actor.id, "ce_approval.set", course_slug, **cleaned)


def remove_course_approval(agency: Agency, actor: User, course_slug: str) -> None:
    row = course_approvals(agency.id).get(course_slug)
    if row is not None:
        audit.record(agency.id, actor.id, "ce_approval.remove", course_slug, approval_number=row.approval_number)
        db.session.delete(row)
        db.session.flush()
