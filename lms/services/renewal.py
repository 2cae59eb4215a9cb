"""Certification renewal: requirement templates, learners' certifications, external CE
entries and their review, in-person agency trainings, and what counts in a period.

Services flush; the request or command commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

import sqlalchemy as sa

from lms.domain import renewal
from lms.domain.renewal import (
    EXTERNAL,
    IN_PERSON,
    OURS,
    PENDING,
    Entry,
    Progress,
    Requirement,
)
from lms.extensions import db
from lms.models import (
    AgencyTraining,
    Certificate,
    CourseCompletion,
    ExternalCeEntry,
    LearnerCertification,
    RenewalTemplate,
    Team,
    User,
    team_supervisors,
    utcnow,
)
from lms.services import audit
from lms.services.agency_rows import agency_row
from lms.services.certificates import issue_certificate, status
from lms.services.invalid_input import InvalidInput

CHOOSE_REQUIREMENT = "Choose the requirement your board sets."
CHOOSE_ATTENDEES = "Choose at least one person from your teams who attended."


# Requirement templates (agency admins)


def requirement_of(template: RenewalTemplate) -> Requirement:
    return Requirement(
        name=template.name,
        period_months=template.period_months,
        total_hours=float(template.total_hours),
        category_minimums=dict(template.category_minimums or {}),
        delivery_formats=frozenset(template.delivery_formats or ()),
        outside_hours_count=template.outside_hours_count,
        outside_hours_need_verification=template.outside_hours_need_verification,
    )


def templates_of(agency_id: int) -> list[RenewalTemplate]:
    return list(db.session.scalars(sa.select(RenewalTemplate).where(RenewalTemplate.agency_id == agency_id).order_by(RenewalTemplate.name)))


def template_in(agency_id: int, template_id: int | None) -> RenewalTemplate | None:
    return agency_row(RenewalTemplate, template_id, agency_id)


@dataclass(frozen=True)
class TemplateTerms:
    """A board's renewal requirement, as typed values."""

    name: str
    period_months: int
    total_hours: float
    category_minimums: Mapping[str, float]
    delivery_formats: tuple[str, ...]
    outside_hours_count: bool
    outside_hours_need_verification: bool


def create_template(agency_id: int, actor: User, terms: TemplateTerms) -> RenewalTemplate:
    """Add the agency's requirement. Raises InvalidInput when the agency has one of that name."""
    if any(t.name.lower() == terms.name.lower() for t in templates_of(agency_id)):
        raise InvalidInput({"name": "Your agency already has a requirement with this name."})
    template = RenewalTemplate(
        agency_id=agency_id,
        name=terms.name,
        period_months=terms.period_months,
        total_hours=terms.total_hours,
        category_minimums=dict(terms.category_minimums),
        delivery_formats=list(terms.delivery_formats),
        outside_hours_count=terms.outside_hours_count,
        outside_hours_need_verification=terms.outside_hours_need_verification,
    )
    db.session.add(template)
    db.session.flush()
    audit.record(
        agency_id, actor.id, "renewal.template.add", template.name, total_hours=template.total_hours, period_months=template.period_months
    )
    return template


def remove_template(template: RenewalTemplate, actor: User) -> None:
    audit.record(template.agency_id, actor.id, "renewal.template.remove", template.name)
    db.session.delete(template)
    db.session.flush()


# A learner's certifications


def certifications_of(user_id: int) -> list[LearnerCertification]:
    return list(
        db.session.scalars(sa.select(LearnerCertification).where(LearnerCertification.user_id == user_id).order_by(LearnerCertification.id))
    )


def certification_of(user_id: int, certification_id: int) -> LearnerCertification | None:
    found = db.session.get(LearnerCertification, certification_id)
    return found if found is not None and found.user_id == user_id else None


@dataclass(frozen=True)
class CertificationTerms:
    """A certification a learner tracks: the agency's requirement it follows, as typed values."""

    template_id: int
    number: str
    period_ends_on: date


def add_certification(holder: User, terms: CertificationTerms) -> LearnerCertification:
    """Raises InvalidInput unless the requirement is one of the holder's agency."""
    template = template_in(holder.agency_id, terms.template_id)
    if template is None:
        raise InvalidInput({"template_id": CHOOSE_REQUIREMENT})
    certification = LearnerCertification(
        user_id=holder.id, template_id=template.id, number=terms.number, period_ends_on=terms.period_ends_on
    )
    db.session.add(certification)
    db.session.flush()
    return certification


def remove_certification(certification: LearnerCertification) -> None:
    db.session.delete(certification)
    db.session.flush()


# What may count: our certificates and external entries


def _certificate_entry(certificate: Certificate, today: date) -> Entry:
    return Entry(
        OURS,
        certificate.course_title,
        certificate.completed_on,
        float(certificate.ce_hours),
        dict(certificate.ce_categories or {}),
        certificate.delivery_format or renewal.SELF_PACED_ONLINE,
        status(certificate, today),
        certificate.code,
    )


def _external_entry(entry: ExternalCeEntry) -> Entry:
    return Entry(
        EXTERNAL,
        entry.title,
        entry.taken_on,
        float(entry.hours),
        dict(entry.categories or {}),
        entry.delivery_format,
        entry.status,
        entry.provider,
        entry.reviewer_name,
        entry.reviewed_at.date() if entry.reviewed_at else None,
        entry.id,
    )


def entries_of(user_ids, today: date) -> dict[int, list[Entry]]:
    """Everything that may count, per person, in two queries."""
    found: dict[int, list[Entry]] = {user_id: [] for user_id in user_ids}
    if not found:
        return found
    for certificate in db.session.scalars(sa.select(Certificate).where(Certificate.user_id.in_(list(found)))):
        found[certificate.user_id].append(_certificate_entry(certificate, today))
    for entry in db.session.scalars(sa.select(ExternalCeEntry).where(ExternalCeEntry.user_id.in_(list(found)))):
        found[entry.user_id].append(_external_entry(entry))
    return found


def period_of(certification: LearnerCertification, ends_on: date | None = None) -> renewal.Period:
    return renewal.period_ending(ends_on or certification.period_ends_on, certification.template.period_months)


def progress_of(
    certification: LearnerCertification, today: date, entries: list[Entry] | None = None, ends_on: date | None = None
) -> Progress:
    if entries is None:
        entries = entries_of([certification.user_id], today)[certification.user_id]
    return renewal.progress(requirement_of(certification.template), period_of(certification, ends_on), entries, today)


def overview(learner: User, today: date, catalog) -> list[tuple[LearnerCertification, Progress, list]]:
    """Each of the learner's certifications, its progress, and the catalog courses open to them
    that carry a category still short."""
    entries = entries_of([learner.id], today)[learner.id]
    courses = [course for course in catalog if course.is_for(learner.roles)]
    found = [(c, progress_of(c, today, entries)) for c in certifications_of(learner.id)]
    return [(c, progress, renewal.courses_for_gap(progress, courses)) for c, progress in found]


def progress_of_people(user_ids, today: date, certifications=None) -> dict[int, list[tuple[LearnerCertification, Progress]]]:
    """Each person's certifications and their progress, in three queries for any number of people
    (two when their certifications are given)."""
    user_ids = list(user_ids)
    found: dict[int, list] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return found
    if certifications is None:
        certifications = db.session.scalars(
            sa.select(LearnerCertification).where(LearnerCertification.user_id.in_(user_ids)).order_by(LearnerCertification.id)
        )
    certifications = list(certifications)
    entries = entries_of({c.user_id for c in certifications}, today)
    for certification in certifications:
        found[certification.user_id].append((certification, progress_of(certification, today, entries[certification.user_id])))
    return found


def at_risk_ids(user_ids, today: date) -> set[int]:
    """Who has a certification whose period ends within 90 days with hours still short."""
    return {
        user_id
        for user_id, found in progress_of_people(user_ids, today).items()
        if any(renewal.at_risk(progress, today) for _, progress in found)
    }


# External CE entries


def external_entries_of(user_id: int) -> list[ExternalCeEntry]:
    return list(
        db.session.scalars(
            sa.select(ExternalCeEntry)
            .where(ExternalCeEntry.user_id == user_id)
            .order_by(ExternalCeEntry.taken_on.desc(), ExternalCeEntry.id.desc())
        )
    )


def owned_entry(user_id: int, entry_id: int) -> ExternalCeEntry | None:
    entry = db.session.get(ExternalCeEntry, entry_id)
    return entry if entry is not None and entry.user_id == user_id else None


@dataclass(frozen=True)
class EntryTerms:
    """Training a learner took somewhere else, as typed values (its certificate file comes beside)."""

    title: str
    provider: str
    taken_on: date
    hours: float
    categories: Mapping[str, float]
    delivery_format: str


def add_entry(holder: User, terms: EntryTerms, data: bytes, today: date) -> ExternalCeEntry:
    """Log the training with its certificate file. Raises InvalidInput for a day after `today`
    or a file that is missing, too large, or not a PDF, PNG or JPEG.

    The stored file is named by its date and real type, never by what the upload called it."""
    problems: dict[str, str] = {}
    if terms.taken_on > today:
        problems["taken_on"] = "The date is in the future. Log training after you take it."
    file_problem = renewal.attachment_problem(data)
    if file_problem:
        problems["file"] = file_problem
    if problems:
        raise InvalidInput(problems)
    mimetype, extension = renewal.attachment_type(data)
    entry = ExternalCeEntry(
        user_id=holder.id,
        title=terms.title,
        provider=terms.provider,
        taken_on=terms.taken_on,
        hours=terms.hours,
        categories=dict(terms.categories),
        delivery_format=terms.delivery_format,
        file=data,
        file_mimetype=mimetype,
        file_name=f"certificate-{terms.taken_on.isoformat()}.{extension}",
        status=PENDING,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def remove_entry(entry: ExternalCeEntry) -> None:
    """A learner may take back an entry no one has reviewed yet."""
    if entry.status != PENDING:
        raise InvalidInput({"entry": "This entry has been reviewed, so it stays on your record."})
    db.session.delete(entry)
    db.session.flush()


def _supervised_user_ids(supervisor: User):
    return (
        sa.select(User.id)
        .join(team_supervisors, team_supervisors.c.team_id == User.team_id)
        .join(Team, Team.id == User.team_id)
        .where(team_supervisors.c.user_id == supervisor.id, Team.active, User.agency_id == supervisor.agency_id)
    )


def reviewable_entries(reviewer: User, pending_only: bool = True) -> list[tuple[ExternalCeEntry, User]]:
    """Entries an admin (their agency's) or a supervisor (their teams') may review."""
    query = sa.select(ExternalCeEntry, User).join(User, User.id == ExternalCeEntry.user_id).where(User.agency_id == reviewer.agency_id)
    if not reviewer.has_role("admin"):
        query = query.where(User.id.in_(_supervised_user_ids(reviewer)))
    if pending_only:
        query = query.where(ExternalCeEntry.status == PENDING)
    return list(db.session.execute(query.order_by(ExternalCeEntry.created_at, ExternalCeEntry.id)).all())


def reviewable_entry(reviewer: User, entry_id: int) -> ExternalCeEntry | None:
    entry = db.session.get(ExternalCeEntry, entry_id)
    if entry is None:
        return None
    learner = db.session.get(User, entry.user_id)
    if learner.agency_id != reviewer.agency_id or learner.id == reviewer.id:
        return None
    if reviewer.has_role("admin"):
        return entry
    supervised = db.session.scalar(sa.select(sa.func.count()).where(User.id == learner.id, User.id.in_(_supervised_user_ids(reviewer))))
    return entry if supervised else None


def file_entry(viewer: User, entry_id: int) -> ExternalCeEntry | None:
    """An entry whose file the viewer may download: their own, or as an admin of the learner's agency."""
    entry = db.session.get(ExternalCeEntry, entry_id)
    if entry is None or entry.file_mimetype is None:
        return None
    if entry.user_id == viewer.id:
        return entry
    learner = db.session.get(User, entry.user_id)
    return entry if viewer.has_role("admin") and learner.agency_id == viewer.agency_id else None


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision on an external entry: VERIFIED or REJECTED, and why ("" if no reason)."""

    status: str
    reason: str


def review(entry: ExternalCeEntry, reviewer: User, decision: Decision) -> None:
    entry.status = decision.status
    entry.reviewed_by_id = reviewer.id
    entry.reviewer_name = reviewer.name
    entry.reviewed_at = utcnow()
    entry.review_reason = decision.reason or None
    audit.record(
        reviewer.agency_id,
        reviewer.id,
        f"renewal.entry.{decision.status}",
        f"external CE entry {entry.id}",
        title=entry.title,
        hours=float(entry.hours),
        reason=decision.reason,
    )
    db.session.flush()


# In-person agency trainings: a certificate of attendance for each attendee


def training_named(agency_id: int, slug: str) -> AgencyTraining | None:
    """The agency's in-person training an attendance certificate names by `slug`, or None."""
    return agency_row(AgencyTraining, renewal.training_id_in(slug), agency_id)


@dataclass(frozen=True)
class TrainingTerms:
    """An in-person training the agency held and who the supervisor says attended, as typed values."""

    title: str
    held_on: date
    hours: float
    categories: Mapping[str, float]
    attendee_ids: tuple[int, ...]


def _attendees_on_teams(supervisor: User, user_ids) -> list[int]:
    """The chosen people who are active on the supervisor's teams; anyone else is left out."""
    on_teams = set(db.session.scalars(_supervised_user_ids(supervisor).where(User.active)))
    return sorted(on_teams & set(user_ids))


def record_training(supervisor: User, terms: TrainingTerms, today: date) -> AgencyTraining:
    """Record the training and give each attendee a certificate of attendance. Raises InvalidInput
    for a day after `today`, or when no one chosen is on the supervisor's teams."""
    problems: dict[str, str] = {}
    if terms.held_on > today:
        problems["held_on"] = "The date is in the future. Record attendance after the training."
    attendees = _attendees_on_teams(supervisor, terms.attendee_ids)
    if not attendees:
        problems["attendees"] = CHOOSE_ATTENDEES
    if problems:
        raise InvalidInput(problems)
    training = AgencyTraining(
        agency_id=supervisor.agency_id,
        title=terms.title,
        held_on=terms.held_on,
        hours=terms.hours,
        categories=dict(terms.categories),
        recorded_by_id=supervisor.id,
    )
    db.session.add(training)
    db.session.flush()
    for user_id in attendees:
        _certify_attendance(training, user_id)
    audit.record(
        supervisor.agency_id,
        supervisor.id,
        "renewal.training.record",
        training.title,
        held_on=training.held_on.isoformat(),
        hours=terms.hours,
        attendees=len(attendees),
    )
    db.session.flush()
    return training


def _certify_attendance(training: AgencyTraining, user_id: int) -> None:
    attended_at = datetime.combine(training.held_on, time(12), tzinfo=timezone.utc)  # midday: the same date in any US zone
    completion = CourseCompletion(
        user_id=user_id,
        course_slug=renewal.training_slug(training.id),
        round=1,
        course_title=training.title,
        course_version="in-person",
        completed_at=attended_at,
        ce_hours=training.hours,
    )
    db.session.add(completion)
    db.session.flush()
    issue_certificate(completion, [], ce_categories=dict(training.categories), delivery_format=IN_PERSON)
