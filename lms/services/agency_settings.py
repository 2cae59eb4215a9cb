"""An agency's own settings, changed by its admins (and audit-logged)."""

from lms.models import Agency, User
from lms.services import audit

SETTINGS_FIELDS = (
    ("name", "Agency name"),
    ("certificate_signer_name", "Name of the person who signs certificates"),
    ("certificate_signer_title", "Their job title"),
    ("ce_provider", "CE provider name"),
    ("ce_approval_number", "CE approval number"),
    ("ce_approving_body", "Approving body"),
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
    if errors:
        raise SettingsError(errors)
    changes = {}
    for field, value in cleaned.items():
        new = value or None if field != "name" else value
        if getattr(agency, field) != new:
            changes[field] = {"from": getattr(agency, field), "to": new}
            setattr(agency, field, new)
    if changes:
        audit.record(agency.id, actor.id, "settings.update", agency.name, changes=changes)
