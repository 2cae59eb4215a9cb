"""An agency's Learning Record Store: endpoint, key and secret, set by its admins (audit-logged).

The secret is encrypted with the vault like learners' private writing, and never shown again:
a blank secret on the form keeps the saved one. Flushes; the caller commits.
"""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from lms.extensions import db
from lms.lrs import LrsSettings
from lms.models import Agency, LrsConnection, User, utcnow
from lms.services import audit
from lms.services.invalid_input import InvalidInput
from lms.vault import Vault

MAX_ENDPOINT = 500
MAX_KEY = 200
MAX_SECRET = 500


def connection_of(agency_id: int) -> LrsConnection | None:
    return db.session.get(LrsConnection, agency_id)


def is_configured(connection: LrsConnection | None) -> bool:
    return connection is not None and connection.endpoint is not None


def _is_private(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: where it points is the LRS operator's business
    return not address.is_global


def endpoint_problem(endpoint: str, allow_private: bool = False) -> str | None:
    """Why this LRS address cannot be used, or None. Private addresses (this machine, the
    local network) only where the site allows them: the sender must not become a way into
    internal services. Plain http only there too: the secret goes with every request."""
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        host = None
    if host is None or parts.scheme not in {"http", "https"}:
        return "Enter the LRS's xAPI address, starting with https://, for example https://lrs.example.org/xAPI."
    if _is_private(host) and not allow_private:
        return "That address is on a private network. Use the LRS's public https:// address."
    if parts.scheme == "http" and not allow_private:
        return "Use an https:// address: the key and secret must not cross the network in the clear."
    if parts.username or parts.password or parts.query or parts.fragment:
        return "Give the address alone: the key and secret go in their own boxes."
    if len(endpoint) > MAX_ENDPOINT:
        return f"Keep the address under {MAX_ENDPOINT} characters."
    return None


@dataclass(frozen=True)
class LrsAccess:
    """Where the LRS is and how to sign in to it. An empty secret keeps the saved one."""

    endpoint: str
    key: str
    secret: str = ""


def save_connection(agency: Agency, actor: User, vault: Vault, access: LrsAccess, allow_private: bool = False) -> LrsConnection:
    """Save the agency's LRS. Raises InvalidInput for an address the site does not send to,
    or no secret when none is saved."""
    connection = connection_of(agency.id)
    errors = {}
    problem = endpoint_problem(access.endpoint, allow_private)
    if problem:
        errors["endpoint"] = problem
    if not access.secret and (connection is None or connection.secret_encrypted is None):
        errors["secret"] = "Enter the secret (password) the LRS gave you."  # noqa: S105  (a message, not a password)
    if errors:
        raise InvalidInput(errors)
    if connection is None:
        connection = LrsConnection(agency_id=agency.id, actor_namespace=str(uuid.uuid4()))
        db.session.add(connection)
    connection.endpoint, connection.key, connection.updated_at = access.endpoint, access.key, utcnow()
    if access.secret:
        connection.secret_encrypted = vault.encrypt(access.secret)
    audit.record(agency.id, actor.id, "lrs.update", access.endpoint, key=access.key, secret_changed=bool(access.secret))
    db.session.flush()
    return connection


def remove_connection(agency: Agency, actor: User) -> None:
    """Stop making statements. The namespace stays, so learners keep their xAPI names if an LRS comes back."""
    connection = connection_of(agency.id)
    if not is_configured(connection):
        return
    audit.record(agency.id, actor.id, "lrs.remove", connection.endpoint)
    connection.endpoint = connection.key = connection.secret_encrypted = None
    connection.updated_at = utcnow()
    db.session.flush()


def lrs_settings(connection: LrsConnection, vault: Vault) -> LrsSettings:
    return LrsSettings(connection.endpoint, connection.key, vault.decrypt(connection.secret_encrypted))
