"""Erasing a person at their request, and the retention job that deletes private writing.

Erasure deletes everything held about the person. Their user row stays only as a holder
for certificates the agency keeps for verification (or withdrew), named by an opaque id;
audit entries name that id instead of them. Flushes; the caller commits, then calls
wipe_freed_space() so that no copy of what was deleted is left in the database file.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from markupsafe import escape

from lms.domain.data_rights import (
    WITHDRAWN_REASON,
    erased_email,
    keeps_certificate,
    names_match,
    scrubbed,
    writing_deleted_before,
)
from lms.extensions import db
from lms.models import (
    Agency,
    Assignment,
    AuditEvent,
    Certificate,
    CheckAttempt,
    CourseCompletion,
    ExternalCeEntry,
    LearnerCertification,
    LessonProgress,
    OutgoingMail,
    PdfCache,
    ProfessionalCredential,
    Reflection,
    SelfCarePlan,
    SentReminder,
    User,
    team_supervisors,
    utcnow,
)
from lms.services import audit
from lms.services.invalid_input import InvalidInput
from lms.vault import Vault


@dataclass(frozen=True)
class Erased:
    opaque_id: str
    certificates_kept: int
    certificates_withdrawn: int


def erase_person(person: User, actor: User, typed_name: str, vault: Vault) -> Erased:
    """Erase the person once the admin typed their name. Certificates follow the agency's setting.

    Raises InvalidInput, on the typed name, saying why the person cannot be erased (yet)."""
    if person.erased_at is not None:
        raise InvalidInput({"confirm_name": "This person is already erased."})
    if person.id == actor.id:
        raise InvalidInput({"confirm_name": "You cannot erase your own account. Ask another admin to do it."})
    if not names_match(typed_name, person.name):
        raise InvalidInput({"confirm_name": f"Type the person’s name exactly as it is shown, “{person.name}”, to erase them."})
    opaque_id = "erased-" + secrets.token_hex(8)
    words = _identifying_words(person)
    agency = db.session.get(Agency, person.agency_id)
    kept, withdrawn = _settle_certificates(person, agency)
    _scrub_entry_reviews(person, opaque_id)
    _delete_personal_rows(person)
    _scrub_mail(person, words, opaque_id, vault)
    _scrub_audit(person.agency_id, words, opaque_id)
    db.session.execute(sa.update(ExternalCeEntry).where(ExternalCeEntry.reviewed_by_id == person.id).values(reviewer_name=opaque_id))
    now = utcnow()
    person.name, person.email, person.password_hash = opaque_id, erased_email(opaque_id), None
    person.team, person.supervised_teams, person.role_rows = None, [], []
    person.active, person.erased_at = False, now
    person.deactivated_at = person.deactivated_at or now
    person.digest_opt_out, person.renewal_alerts_wanted = False, False
    person.end_sessions()
    audit.record(
        person.agency_id,
        actor.id,
        "person.erase",
        opaque_id,
        certificates=agency.certificate_retention,
        certificates_kept=kept,
        certificates_withdrawn=withdrawn,
    )
    db.session.flush()
    return Erased(opaque_id, kept, withdrawn)


def _identifying_words(person: User) -> list[str]:
    """What names the person in free text: names and emails they have had (followed through
    the audit log's person.update changes), the names on their certificates, and their
    licence and certification numbers."""
    names = {person.name, person.email}
    names |= set(db.session.scalars(sa.select(Certificate.learner_name).where(Certificate.user_id == person.id)))
    while True:
        found = set(names)
        updates = sa.select(AuditEvent).where(
            AuditEvent.agency_id == person.agency_id,
            AuditEvent.action == "person.update",
            sa.func.lower(AuditEvent.subject).in_([name.lower() for name in names]),
        )
        for event in db.session.scalars(updates):
            changes = (event.details or {}).get("changes", {})
            for field in ("name", "email"):
                found |= {value for value in (changes.get(field) or {}).values() if isinstance(value, str)}
        if found == names:
            break
        names = found
    numbers = set(db.session.scalars(sa.select(ProfessionalCredential.number).where(ProfessionalCredential.user_id == person.id)))
    numbers |= set(db.session.scalars(sa.select(LearnerCertification.number).where(LearnerCertification.user_id == person.id)))
    # A number of a few digits would match other people's text too; such a number identifies no one alone.
    return sorted({word for word in names if word} | {number for number in numbers if len(number) >= 4})


def _scrub_entry_reviews(person: User, opaque_id: str) -> None:
    """Reviews of their outside training keep the decision, not the training's title."""
    subjects = [
        f"external CE entry {entry_id}"
        for entry_id in db.session.scalars(sa.select(ExternalCeEntry.id).where(ExternalCeEntry.user_id == person.id))
    ]
    if subjects:
        for event in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.agency_id == person.agency_id, AuditEvent.subject.in_(subjects))
        ):
            event.details = {key: value for key, value in (event.details or {}).items() if key != "title"} | {"learner": opaque_id}


def _settle_certificates(person: User, agency: Agency) -> tuple[int, int]:
    """Keep the facts verification shows, or withdraw; either way drop licences, file and badge identity."""
    today = utcnow().date()
    kept = withdrawn = 0
    for certificate in db.session.scalars(sa.select(Certificate).where(Certificate.user_id == person.id)):
        certificate.licences, certificate.pdf = [], None
        certificate.identity_salt = certificate.identity_hash = None
        if keeps_certificate(agency.certificate_retention, certificate.completed_on, agency.certificate_retention_years, today):
            kept += 1
        else:
            withdraw_certificate(certificate)
            withdrawn += 1
    return kept, withdrawn


def withdraw_certificate(certificate: Certificate) -> None:
    """Only the code is left: a check of it says the record was removed at the holder's request,
    and the agency's status list marks it no longer valid."""
    now = utcnow()
    certificate.withdrawn_at = now
    certificate.revoked_at = certificate.revoked_at or now
    certificate.revoked_reason = WITHDRAWN_REASON
    certificate.learner_name = ""
    certificate.licences, certificate.objectives, certificate.pdf = [], [], None
    certificate.identity_salt = certificate.identity_hash = None


def _delete_personal_rows(person: User) -> None:
    user_id = person.id
    kept_completions = sa.select(Certificate.completion_id).where(Certificate.user_id == user_id)
    db.session.execute(sa.update(CourseCompletion).where(CourseCompletion.user_id == user_id).values(attempt_id=None, score=None))
    for model in (
        Reflection,
        SelfCarePlan,
        PdfCache,
        ProfessionalCredential,
        LearnerCertification,
        ExternalCeEntry,
        LessonProgress,
        CheckAttempt,
        SentReminder,
        Assignment,
    ):
        db.session.execute(sa.delete(model).where(model.user_id == user_id))
    db.session.execute(sa.delete(CourseCompletion).where(CourseCompletion.user_id == user_id, CourseCompletion.id.not_in(kept_completions)))
    db.session.execute(sa.delete(team_supervisors).where(team_supervisors.c.user_id == user_id))


def _scrub_mail(person: User, words: list[str], opaque_id: str, vault: Vault) -> None:
    """Mail to them goes; mail to others that names them (a supervisor's digest) keeps going, without the name."""
    db.session.execute(
        sa.delete(OutgoingMail).where(
            sa.or_(OutgoingMail.user_id == person.id, sa.func.lower(OutgoingMail.recipient) == person.email.lower())
        )
    )
    words = sorted({*words, *(str(escape(word)) for word in words)})  # as the HTML part spells them
    for row in db.session.scalars(
        sa.select(OutgoingMail).where(
            OutgoingMail.agency_id == person.agency_id,
            sa.or_(OutgoingMail.body_encrypted.is_not(None), *_mentions(OutgoingMail.subject, words)),
        )
    ):
        row.subject = scrubbed(row.subject, words, opaque_id)
        if row.body_encrypted is not None:
            body = json.loads(vault.decrypt(row.body_encrypted))
            clean = scrubbed(body, words, opaque_id)
            if clean != body:
                row.body_encrypted = vault.encrypt(json.dumps(clean))


def _scrub_audit(agency_id: int, words: list[str], opaque_id: str) -> None:
    details_text = sa.cast(AuditEvent.details, sa.Text)
    # JSON text may spell a name with \u escapes: look for that spelling too.
    spellings = {spelling for word in words for spelling in (word, json.dumps(word)[1:-1])}
    mentioning = sa.or_(*_mentions(AuditEvent.subject, spellings), *_mentions(details_text, spellings))
    for event in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.agency_id == agency_id, mentioning)):
        event.subject = scrubbed(event.subject, words, opaque_id)
        event.details = scrubbed(event.details, words, opaque_id)


def _mentions(column, words) -> list:
    return [sa.func.lower(column).contains(word.lower(), autoescape=True) for word in words]


def wipe_freed_space() -> None:
    """SQLite keeps deleted bytes in the main file until overwritten. secure_delete (set on every
    connection) zeroes them as they are freed; folding the write-ahead log into the file and
    emptying it removes the old page copies the log still holds. PostgreSQL: see docs/privacy.md."""
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# The retention job


@dataclass(frozen=True)
class RetentionResult:
    writing_deleted_for: int  # people
    certificates_withdrawn: int


def apply_retention(now: datetime | None = None) -> RetentionResult:
    """For every agency: delete the private writing of people deactivated longer ago than its
    setting, and withdraw kept certificates of erased people once their years are up."""
    now = now or utcnow()
    people = certificates_withdrawn = 0
    for agency in db.session.scalars(sa.select(Agency).order_by(Agency.id)):
        cutoff = writing_deleted_before(now, agency.writing_retention_days)
        lapsed = sa.select(User.id).where(User.agency_id == agency.id, ~User.active, User.deactivated_at < cutoff)
        holders = set(db.session.scalars(sa.select(Reflection.user_id).where(Reflection.user_id.in_(lapsed)))) | set(
            db.session.scalars(sa.select(SelfCarePlan.user_id).where(SelfCarePlan.user_id.in_(lapsed)))
        )
        for model in (Reflection, SelfCarePlan, PdfCache):
            db.session.execute(sa.delete(model).where(model.user_id.in_(lapsed)))
        people += len(holders)
        kept = db.session.scalars(
            sa.select(Certificate)
            .join(User, User.id == Certificate.user_id)
            .where(Certificate.agency_id == agency.id, User.erased_at.is_not(None), Certificate.withdrawn_at.is_(None))
        )
        for certificate in kept:
            if not keeps_certificate(
                agency.certificate_retention, certificate.completed_on, agency.certificate_retention_years, now.date()
            ):
                withdraw_certificate(certificate)
                certificates_withdrawn += 1
        if holders:
            audit.record(agency.id, None, "retention.private_writing", f"{len(holders)} people", days=agency.writing_retention_days)
    db.session.flush()
    return RetentionResult(people, certificates_withdrawn)
