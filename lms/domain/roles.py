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
