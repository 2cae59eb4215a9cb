"""The four kinds of people who use Common Ground."""

PEER = "peer"
CLINICIAN = "clinician"
SUPERVISOR = "supervisor"
ADMIN = "admin"

ROLES = (PEER, CLINICIAN, SUPERVISOR, ADMIN)

ROLE_LABELS = {
    PEER: "Peer support specialist",
    CLINICIAN: "Clinician",
    SUPERVISOR: "Supervisor",
    ADMIN: "Administrator",
}

# Belongs to no agency: sees one network's training totals, never a person (docs/networks.md).
# Not in ROLES, so no agency can give it to anyone and no course can be written for it.
NETWORK_ADMIN = "network-admin"
STORED_ROLES = ROLES + (NETWORK_ADMIN,)
