"""An agency's own settings, changed by its admins (and audit-logged)."""

import io
import re
import warnings

import sqlalchemy as sa
from PIL import Image

from lms.domain.data_rights import CERTIFICATE_RETENTION, KEEP, WITHDRAW
from lms.extensions import db
from lms.models import Agency, CourseAccreditation, User
from lms.services import audit
from lms.services.accounts import AccountError, name_taken, normalize_email
from lms.services.invalid_input import InvalidInput

SETTINGS_FIELDS = (
    ("name", "Agency name"),
    ("certificate_signer_name", "Name of the person who signs certificates"),
    ("certificate_signer_title", "Their job title"),
    ("ce_provider", "CE provider name"),
    ("ce_approval_number", "CE approval number"),
    ("ce_approving_body", "Approving body"),
    ("ce_provider_contact", "CE provider contact (email, phone or web address), printed on CE certificates"),
    ("support_email", "Support email: where your staff ask for help with their training"),
    ("support_phone", "Support phone (optional)"),
)
# Whole-number settings: (field, label, lowest, highest)
NUMBER_FIELDS = (
    ("default_pass_mark", "Knowledge check pass mark, in percent, for courses that do not set their own", 50, 100),
    ("reminder_days_before", "Send reminder emails this many days before training is due", 1, 60),
)
# Privacy: what erasure and the retention job do. Left out of a form, they stay as they are.
PRIVACY_NUMBER_FIELDS = (
    ("certificate_retention_years", "Keep them for this many years after the course was completed", 1, 50),
    ("writing_retention_days", "Delete the reflections and self-care plan of deactivated people after this many days", 1, 3650),
)
CERTIFICATE_RETENTION_LABELS = {
    KEEP: "Keep the facts needed to check them (name, course, date, hours), for the years below",
    WITHDRAW: "Withdraw them at once: a check of the code says the record was removed at the holder’s request",
}
APPROVAL_FIELDS = ("ce_provider", "ce_approval_number", "ce_approving_body")
PHONE = re.compile(r"\+?[0-9 ().-]{3,39}")  # digits, with the spaces, dots, dashes and brackets people write
MAX_LENGTH = 200


def update_settings(agency: Agency, actor: User, values: dict[str, str]) -> None:
    cleaned = {field: (values.get(field) or "").strip() for field, _ in SETTINGS_FIELDS}
    errors = {}
    if not cleaned["name"]:
        errors["name"] = "The agency needs a name."
    elif name_taken(cleaned["name"], agency):
        errors["name"] = (
            f"Another agency already uses the name “{cleaned['name']}”. Choose a name that is yours, "
            "for example with your town or region in it."
        )
    for field, value in cleaned.items():
        if len(value) > MAX_LENGTH:
            errors[field] = f"Keep this under {MAX_LENGTH} characters."
    if cleaned["support_email"]:
        try:
            cleaned["support_email"] = normalize_email(cleaned["support_email"])
        except AccountError:
            errors["support_email"] = "Enter an email address, like help@youragency.org, or leave this empty."
    phone = cleaned["support_phone"]
    if phone and not (PHONE.fullmatch(phone) and sum(character.isdigit() for character in phone) >= 3):
        errors["support_phone"] = "Enter a phone number with digits, like 555-010-0199, or leave this empty."
    approval = [cleaned[field] for field in APPROVAL_FIELDS]
    if any(approval) and not all(approval):
        errors["ce_provider"] = (
            "A CE approval statement needs all three parts: provider, approval number and approving body. "
            "Leave all three empty if your agency holds no approval."
        )
    numbers = {}
    privacy_given = [item for item in PRIVACY_NUMBER_FIELDS if item[0] in values]
    for field, _label, low, high in (*NUMBER_FIELDS, *privacy_given):
        text = (values.get(field) or "").strip()
        if not text.isdigit() or not low <= int(text) <= high:
            errors[field] = f"Enter a whole number from {low} to {high}."
        else:
            numbers[field] = int(text)
    retention = values.get("certificate_retention", agency.certificate_retention)
    if retention not in CERTIFICATE_RETENTION:
        errors["certificate_retention"] = "Choose what happens to an erased person’s certificates."
    if errors:
        raise InvalidInput(errors)
    changes = {}
    if agency.certificate_retention != retention:
        changes["certificate_retention"] = {"from": agency.certificate_retention, "to": retention}
        agency.certificate_retention = retention
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


LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_LOGO_BYTES = 300_000
# A logo is printed a few centimetres wide: this is plenty, and it keeps a small file that
# decodes to gigabytes (a decompression bomb) from ever being decoded.
MAX_LOGO_SIDE = 3000
MAX_LOGO_PIXELS = 4_000_000


def set_logo(agency: Agency, actor: User, data: bytes) -> None:
    """Store a PNG or JPEG logo, re-encoded by Pillow: only the picture is kept, no metadata."""
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidInput({"logo": f"The logo must be smaller than {MAX_LOGO_BYTES // 1000} KB (this one is {len(data) // 1000} KB)."})
    clean, mimetype = _reencoded_logo(data)
    agency.logo, agency.logo_mimetype = clean, mimetype
    audit.record(agency.id, actor.id, "settings.logo", agency.name, size=len(clean), type=mimetype)


def _reencoded_logo(data: bytes) -> tuple[bytes, str]:
    unreadable = InvalidInput({"logo": "The logo could not be read: it must be a PNG or JPEG picture."})
    too_large = InvalidInput(
        {
            "logo": f"The logo is too large: use a picture of at most {MAX_LOGO_SIDE} × {MAX_LOGO_SIDE} "
            f"pixels and {MAX_LOGO_PIXELS // 1_000_000} million pixels in all."
        }
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads only the header: nothing decoded yet
                if image.format not in LOGO_FORMATS:
                    raise unreadable
                width, height = image.size
                if max(width, height) > MAX_LOGO_SIDE or width * height > MAX_LOGO_PIXELS:
                    raise too_large
                image.load()
                out = io.BytesIO()
                if image.format == "JPEG":
                    image.convert("RGB").save(out, "JPEG", quality=90)
                else:
                    image.save(out, "PNG", optimize=True)
                return out.getvalue(), LOGO_FORMATS[image.format]
    except InvalidInput:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise too_large from error
    except (OSError, SyntaxError, ValueError) as error:  # Pillow's ways of saying "not a picture I can read"
        raise unreadable from error


def update_role_card(agency: Agency, actor: User, markdown_text: str) -> None:
    text = (markdown_text or "").strip()
    if len(text) > 10_000:
        raise InvalidInput({"role_card": "Keep the role card under 10,000 characters."})
    agency.role_card_markdown = text or None
    audit.record(agency.id, actor.id, "role_card.update", agency.name, characters=len(text))


COURSE_APPROVAL_FIELDS = (("provider", "CE provider name"), ("approval_number", "CE approval number"), ("approving_body", "Approving body"))


def course_approvals(agency_id: int) -> dict[str, CourseAccreditation]:
    rows = db.session.scalars(sa.select(CourseAccreditation).where(CourseAccreditation.agency_id == agency_id))
    return {row.course_slug: row for row in rows}


def set_course_approval(agency: Agency, actor: User, course_slug: str, values) -> None:
    """A CE approval for one course; it wins over the agency-wide one for certificates issued from now on."""
    cleaned = {field: " ".join((values.get(field) or "").split()) for field, _ in COURSE_APPROVAL_FIELDS}
    errors = {field: f"Enter the {label.lower()}." for field, label in COURSE_APPROVAL_FIELDS if not cleaned[field]}
    errors.update({field: f"Keep this under {MAX_LENGTH} characters." for field, value in cleaned.items() if len(value) > MAX_LENGTH})
    if errors:
        raise InvalidInput(errors)
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
