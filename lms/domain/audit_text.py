"""Audit entries as sentences an administrator can read: what happened, and old → new values."""

from __future__ import annotations

from dataclasses import dataclass

ACTION_SENTENCES = {  # action: sentence about the subject ({subject})
    "person.create": "Added {subject}.",
    "person.update": "Changed {subject}.",
    "person.deactivate": "Deactivated {subject}: they can no longer log in.",
    "person.reactivate": "Reactivated {subject}: they can log in again.",
    "people.import": "Imported people from {subject}.",
    "team.create": "Created the team {subject}.",
    "team.update": "Changed the team {subject}.",
    "team.deactivate": "Deactivated the team {subject}.",
    "team.reactivate": "Reactivated the team {subject}.",
    "assignment.create": "Required {subject}.",
    "assignment.delete": "Stopped requiring {subject}.",
    "certificate.revoke": "Revoked certificate {subject}.",
    "certificate.reissue": "Re-issued certificate {subject}.",
    "settings.update": "Changed the settings of {subject}.",
    "settings.logo": "Uploaded a new logo for {subject}.",
    "role_card.update": "Rewrote the role card of {subject}.",
    "reminder.send": "Sent {subject} a reminder about their training.",
    "invitations.resend": "Sent invitations again to {subject}.",
    "network.invite": "The network {subject} invited this agency to share its training totals.",
    "network.withdraw": "The network {subject} withdrew its invitation.",
    "network.accept": "Joined the network {subject}: it sees this agency's training totals, never names.",
    "network.decline": "Declined the invitation of the network {subject}.",
    "network.leave": "Left the network {subject}.",
    "network.remove": "The network {subject} removed this agency: it no longer counts its totals.",
    "lrs.requeue": "Put the dead xAPI statements of {subject} back in the queue for its Learning Record Store.",
    "lrs.update": "Connected the Learning Record Store at {subject}.",
    "lrs.remove": "Disconnected the Learning Record Store at {subject}.",
    "licence.add": "Added a licence for {subject}.",
    "licence.update": "Changed a licence of {subject}.",
    "licence.remove": "Removed a licence of {subject}.",
    "licence.import": "Recorded a licence for {subject} from an imported file.",
    "certificate.unrevoke": "Undid the revocation of certificate {subject}.",
    "ce_approval.set": "Set the CE approval for the course {subject}.",
    "ce_approval.remove": "Removed the CE approval for the course {subject}.",
    "learning_path.create": "Created the learning path {subject}.",
    "agency_block.update": "Rewrote the agency's text for the lesson block {subject}.",
    "agency_course.create": "Created the agency course {subject}.",
    "agency_course.upload": "Uploaded a new draft of the agency course {subject}.",
    "agency_course.publish": "Published the agency course {subject}.",
    "agency_course.unpublish": "Took the agency course {subject} off the learners' list.",
    "renewal.template.add": "Added the renewal requirement {subject}.",
    "renewal.template.remove": "Removed the renewal requirement {subject}.",
    "renewal.training.record": "Recorded who attended the in-person training {subject}.",
    "renewal.entry.verified": "Accepted {subject} toward renewal.",
    "renewal.entry.rejected": "Did not accept {subject} toward renewal.",
    "person.data_download": "Downloaded all the data held about {subject}.",
    "person.erase": "Erased the person now known as {subject}.",
    "retention.private_writing": "Deleted the private writing of {subject} deactivated longer than the retention period.",
    "signing_key.add": "Added the credential signing key {subject}.",
}
ACTION_NAMES = {  # for the filter list
    "person.create": "Person added",
    "person.update": "Person changed",
    "person.deactivate": "Person deactivated",
    "person.reactivate": "Person reactivated",
    "people.import": "People imported",
    "team.create": "Team created",
    "team.update": "Team changed",
    "team.deactivate": "Team deactivated",
    "team.reactivate": "Team reactivated",
    "assignment.create": "Training required",
    "assignment.delete": "Requirement removed",
    "certificate.revoke": "Certificate revoked",
    "certificate.reissue": "Certificate re-issued",
    "settings.update": "Settings changed",
    "settings.logo": "Logo uploaded",
    "role_card.update": "Role card changed",
    "reminder.send": "Reminder sent",
    "invitations.resend": "Invitations sent again",
    "network.invite": "Network invitation",
    "network.withdraw": "Network invitation withdrawn",
    "network.accept": "Network joined",
    "network.decline": "Network invitation declined",
    "network.leave": "Network left",
    "network.remove": "Removed from a network",
    "lrs.requeue": "Dead xAPI statements queued again",
    "lrs.update": "Learning Record Store connected",
    "lrs.remove": "Learning Record Store disconnected",
    "licence.add": "Licence added",
    "licence.update": "Licence changed",
    "licence.remove": "Licence removed",
    "licence.import": "Licence imported",
    "certificate.unrevoke": "Revocation undone",
    "ce_approval.set": "CE approval set",
    "ce_approval.remove": "CE approval removed",
    "learning_path.create": "Learning path created",
    "agency_block.update": "Lesson block text changed",
    "agency_course.create": "Agency course created",
    "agency_course.upload": "Agency course uploaded",
    "agency_course.publish": "Agency course published",
    "agency_course.unpublish": "Agency course unpublished",
    "renewal.template.add": "Renewal requirement added",
    "renewal.template.remove": "Renewal requirement removed",
    "renewal.training.record": "In-person training recorded",
    "renewal.entry.verified": "Outside training accepted",
    "renewal.entry.rejected": "Outside training not accepted",
    "person.data_download": "Person's data downloaded",
    "person.erase": "Person erased",
    "retention.private_writing": "Private writing deleted (retention)",
    "signing_key.add": "Signing key added",
}
FIELD_LABELS = {
    "name": "Name",
    "email": "Email",
    "roles": "Roles",
    "team": "Team",
    "supervised_teams": "Supervises",
    "joined_on": "Joined on",
    "supervisors": "Supervisors",
    "target": "Who must take it",
    "reason": "Reason",
    "learner": "Learner",
    "course": "Course",
    "replaced_by": "New certificate",
    "old_name": "Name before",
    "new_name": "Name now",
    "created": "Added",
    "updated": "Changed",
    "skipped": "Lines skipped",
    "size": "Size (bytes)",
    "type": "File type",
    "characters": "Length (characters)",
    "courses": "Courses",
    "sent_to": "Sent to",
    "skipped_recent": "Skipped: invited in the last 10 minutes",
    "skipped_not_needed": "Skipped: already set a password or deactivated",
    "statements": "Statements",
}


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditText:
    sentence: str
    changes: tuple[Change, ...]  # old → new
    facts: tuple[tuple[str, str], ...]  # label, value


def action_name(action: str) -> str:
    return ACTION_NAMES.get(action, action.replace(".", " ").replace("_", " ").capitalize())


def describe(action: str, subject: str, details: dict | None) -> AuditText:
    sentence = ACTION_SENTENCES.get(action, action_name(action) + ": {subject}.").format(subject=subject)
    changes, facts = [], []
    for key, value in (details or {}).items():
        if key == "changes" and isinstance(value, dict):
            for field, change in value.items():
                if isinstance(change, dict) and {"from", "to"} <= change.keys():
                    changes.append(Change(_label(field), _value(change["from"]), _value(change["to"])))
                else:
                    facts.append((_label(field), _value(change)))
        else:
            facts.append((_label(key), _value(value)))
    return AuditText(sentence, tuple(changes), tuple(facts))


def _label(key: str) -> str:
    return FIELD_LABELS.get(key, key.replace("_", " ").capitalize())


def _value(value) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{_label(key)}: {_value(item)}" for key, item in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
