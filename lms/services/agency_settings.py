"""An agency's own settings, changed by its admins (and audit-logged)."""

import io
import warnings
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from PIL import Image

from lms.domain.courses import Course
from lms.domain.data_rights import KEEP, WITHDRAW
from lms.extensions import db
from lms.models import Agency, CourseAccreditation, User
from lms.services import audit
from lms.services.accounts import name_taken
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
MAX_LENGTH = 200


@dataclass(frozen=True, kw_only=True)
class AgencySettings:
    """An agency's settings as typed values: text stripped ("" for none), numbers in range.
    A privacy setting of None stays as it is (the form left it out)."""

    name: str
    certificate_signer_name: str = ""
    certificate_signer_title: str = ""
    ce_provider: str = ""
    ce_approval_number: str = ""
    ce_approving_body: str = ""
    ce_provider_contact: str = ""
    support_email: str = ""
    support_phone: str = ""
    default_pass_mark: int
    reminder_days_before: int
    certificate_retention: str | None = None
    certificate_retention_years: int | None = None
    writing_retention_days: int | None = None


def update_settings(agency: Agency, actor: User, settings: AgencySettings) -> None:
    """Save the settings, audit-logging what changed. Raises InvalidInput."""
    errors = {}
    if name_taken(settings.name, agency):
        errors["name"] = (
            f"Another agency already uses the name “{settings.name}”. Choose a name that is yours, "
            "for example with your town or region in it."
        )
    # A certificate claims an approval only with all of it: a part alone would mislead.
    approval = [getattr(settings, field) for field in APPROVAL_FIELDS]
    if any(approval) and not all(approval):
        errors["ce_provider"] = (
            "A CE approval statement needs all three parts: provider, approval number and approving body. "
            "Leave all three empty if your agency holds no approval."
        )
    if errors:
        raise InvalidInput(errors)
    changes = {}
    for field, value in _stored_values(settings).items():
        if getattr(agency, field) != value:
            changes[field] = {"from": getattr(agency, field), "to": value}
            setattr(agency, field, value)
    if changes:
        audit.record(agency.id, actor.id, "settings.update", agency.name, changes=changes)


def _stored_values(settings: AgencySettings) -> dict:
    """The columns to set: empty text is stored as NULL (the name is never empty), and a
    privacy setting left out is not set at all."""
    values = {field: value for field, value in asdict(settings).items() if value is not None}
    values.update({field: values[field] or None for field, _ in SETTINGS_FIELDS if field != "name"})
    return values


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


MAX_ROLE_CARD = 10_000


def update_role_card(agency: Agency, actor: User, markdown_text: str) -> None:
    """Save the card (Markdown, stripped; empty brings back the starting card)."""
    agency.role_card_markdown = markdown_text or None
    audit.record(agency.id, actor.id, "role_card.update", agency.name, characters=len(markdown_text))


COURSE_APPROVAL_FIELDS = (("provider", "CE provider name"), ("approval_number", "CE approval number"), ("approving_body", "Approving body"))


@dataclass(frozen=True)
class CourseApproval:
    """One course's CE approval statement, each part given and written on one line."""

    provider: str
    approval_number: str
    approving_body: str


def course_approvals(agency_id: int) -> dict[str, CourseAccreditation]:
    rows = db.session.scalars(sa.select(CourseAccreditation).where(CourseAccreditation.agency_id == agency_id))
    return {row.course_slug: row for row in rows}


def set_course_approval(agency: Agency, actor: User, catalog, course_slug: str, approval: CourseApproval) -> Course:
    """A CE approval for one course of the catalog; it wins over the agency-wide one for
    certificates issued from now on. Raises InvalidInput."""
    course = catalog.get(course_slug)
    if course is None:
        raise InvalidInput({"course": "Choose one of the courses in the list."})
    row = course_approvals(agency.id).get(course_slug)
    if row is None:
        row = CourseAccreditation(agency_id=agency.id, course_slug=course_slug)
        db.session.add(row)
    for field, value in asdict(approval).items():
        setattr(row, field, value)
    db.session.flush()
    audit.record(agency.id, actor.id, "ce_approval.set", course_slug, **asdict(approval))
    return course


def remove_course_approval(agency: Agency, actor: User, course_slug: str) -> None:
    row = course_approvals(agency.id).get(course_slug)
    if row is not None:
        audit.record(agency.id, actor.id, "ce_approval.remove", course_slug, approval_number=row.approval_number)
        db.session.delete(row)
        db.session.flush()
