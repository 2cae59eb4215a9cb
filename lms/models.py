"""Database tables. Rules live in lms.domain and lms.services, not here."""

from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from lms.domain.agencies import name_key, slugify
from lms.domain.roles import STORED_ROLES
from lms.extensions import db
from lms.passwords import hash_password, password_matches


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Agency(db.Model):
    """A tenant: one organization running Common Ground for its staff."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    # The name without case or spacing: unique, so no agency can take another's name.
    name_key: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    # How the command line names the agency; set once, kept when the name changes.
    slug: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    certificate_signer_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    certificate_signer_title: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    # A CE approval statement, only when the agency really holds one (see CourseAccreditation).
    ce_provider: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    ce_approval_number: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    ce_approving_body: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    # How a board or learner reaches the CE provider (email, phone or web address).
    ce_provider_contact: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    default_pass_mark: so.Mapped[int] = so.mapped_column(default=80, server_default="80")
    reminder_days_before: so.Mapped[int] = so.mapped_column(default=7, server_default="7")
    # The agency's "what our peer specialists do / don't do" card, in Markdown; None: the default card.
    role_card_markdown: so.Mapped[str | None] = so.mapped_column(sa.Text)
    logo: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    logo_mimetype: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    # What erasing a person does to their certificates: "keep" the facts verification shows
    # for certificate_retention_years after completion, or "withdraw" them at once.
    certificate_retention: so.Mapped[str] = so.mapped_column(sa.String(10), default="keep", server_default="keep")
    certificate_retention_years: so.Mapped[int] = so.mapped_column(default=6, server_default="6")
    # `flask retention apply` deletes the private writing of people deactivated this long ago.
    writing_retention_days: so.Mapped[int] = so.mapped_column(default=90, server_default="90")
    # Who staff ask for help with the site: shown in the footer and on the Help page.
    support_email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    support_phone: so.Mapped[str | None] = so.mapped_column(sa.String(40))

    teams: so.Mapped[list[Team]] = so.relationship(back_populates="agency", order_by="Team.name")

    @so.validates("name")
    def _keep_name_key(self, _key, name):
        self.name_key = name_key(name)
        if self.slug is None:
            self.slug = slugify(name)
        return name


team_supervisors = sa.Table(
    "team_supervisor",
    db.metadata,
    sa.Column("team_id", sa.ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Team(db.Model):
    __table_args__ = (sa.UniqueConstraint("agency_id", "name"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())

    agency: so.Mapped[Agency] = so.relationship(back_populates="teams")
    supervisors: so.Mapped[list[User]] = so.relationship(secondary=team_supervisors, back_populates="supervised_teams")


class User(UserMixin, db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # None only for a network admin, who belongs to no agency.
    agency_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("agency.id"), index=True)
    team_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("team.id"), index=True)
    # Stored lower-case, so the unique index is case-insensitive on every database.
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # The day the person joined the agency: "due 30 days after joining" counts from here.
    joined_on: so.Mapped[date] = so.mapped_column(sa.Date, default=lambda: utcnow().date(), server_default=sa.text("CURRENT_DATE"))
    # Supervisors may turn off the weekly digest of their teams' overdue training.
    digest_opt_out: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # Supervisors may ask to be told when someone on their teams is short of renewal hours.
    renewal_alerts_wanted: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # Part of every session's user id: raising it ends every session of this person on
    # every server (logout, a new password, a role change, deactivation), even a copied cookie.
    session_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    deactivated_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    # Set when an admin erased the person: the row stays, named by an opaque id, only so that
    # certificates the agency keeps (or withdrew) still have a holder.
    erased_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    agency: so.Mapped[Agency | None] = so.relationship()
    team: so.Mapped[Team | None] = so.relationship(foreign_keys=[team_id])
    role_rows: so.Mapped[list[UserRole]] = so.relationship(cascade="all, delete-orphan", lazy="selectin")
    supervised_teams: so.Mapped[list[Team]] = so.relationship(secondary=team_supervisors, back_populates="supervisors")

    @property
    def is_active(self) -> bool:  # flask-login refuses to log in inactive users
        return self.active

    def get_id(self) -> str:  # what flask-login keeps in the session cookie
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 0) + 1

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def set_roles(self, roles) -> None:
        unknown = set(roles) - set(STORED_ROLES)
        if unknown:
            raise ValueError(f"unknown role: {', '.join(sorted(unknown))}")
        if self.role_rows and set(roles) != self.roles:
            self.end_sessions()  # pages already open must not keep the old roles' access
        keep = [row for row in self.role_rows if row.role in roles]
        have = {row.role for row in keep}
        self.role_rows = keep + [UserRole(role=r) for r in sorted(set(roles) - have)]

    def set_password(self, password: str) -> None:
        if self.password_hash is not None:
            self.end_sessions()
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and password_matches(self.password_hash, password)


class UserRole(db.Model):
    __table_args__ = (sa.CheckConstraint(sa.column("role").in_(STORED_ROLES), name="known_role"),)

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(20), primary_key=True)


class LessonProgress(db.Model):
    """One row per learner and lesson: when it was first opened and when completed."""

    __table_args__ = (sa.UniqueConstraint("user_id", "course_slug", "lesson_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    course_slug: so.Mapped[str] = so.mapped_column(sa.String(100))
    lesson_id: so.Mapped[str] = so.mapped_column(sa.String(100))
    first_viewed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    completed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class CheckAttempt(db.Model):
    """One try at a course's knowledge check. Answers map question id to choice id."""

    __table_args__ = (sa.Index("ix_check_attempt_user_course", "user_id", "course_slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    course_slug: so.Mapped[str] = so.mapped_column(sa.String(100))
    course_version: so.Mapped[str] = so.mapped_column(sa.String(40))
    started_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    answers: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    score: so.Mapped[int | None] = so.mapped_column()  # percent
    pass_mark: so.Mapped[int | None] = so.mapped_column()
    passed: so.Mapped[bool | None] = so.mapped_column()


class CourseCompletion(db.Model):
    """A finished course: created exactly once per learner, course and round.

    round is 1 for the first completion; a yearly renewal earns round 2, and so on.
    """

    __table_args__ = (sa.UniqueConstraint("user_id", "course_slug", "round"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    course_slug: so.Mapped[str] = so.mapped_column(sa.String(100))
    round: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    course_title: so.Mapped[str] = so.mapped_column(sa.String(300))
    course_version: so.Mapped[str] = so.mapped_column(sa.String(40))
    completed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    score: so.Mapped[int | None] = so.mapped_column()
    ce_hours: so.Mapped[float] = so.mapped_column(sa.Numeric(4, 2, asdecimal=False))
    attempt_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("check_attempt.id"))
    # Set when its certificate is revoked: the course no longer counts as done and can be
    # earned again in a new round. Cleared when an admin undoes the revocation.
    voided_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class ProfessionalCredential(db.Model):
    """A licence or certification a learner holds (CPS, CPRS, LCSW …), printed on CE certificates."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    number: so.Mapped[str] = so.mapped_column(sa.String(100))
    issuer: so.Mapped[str] = so.mapped_column(sa.String(200))  # issuing state or board
    expires_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Reflection(db.Model):
    """A learner's private answer to a lesson's reflection prompt, encrypted at rest."""

    __table_args__ = (sa.UniqueConstraint("user_id", "course_slug", "lesson_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    course_slug: so.Mapped[str] = so.mapped_column(sa.String(100))
    lesson_id: so.Mapped[str] = so.mapped_column(sa.String(100))
    body_encrypted: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class SelfCarePlan(db.Model):
    """A learner's private self-care plan: section answers as encrypted JSON."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    sections_encrypted: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    review_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class CourseEvaluation(db.Model):
    """A learner's end-of-course evaluation. Admins only ever see aggregates."""

    __table_args__ = (sa.UniqueConstraint("user_id", "course_slug", "round"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    course_slug: so.Mapped[str] = so.mapped_column(sa.String(100), index=True)
    round: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    course_version: so.Mapped[str] = so.mapped_column(sa.String(40))
    submitted_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    objective_ratings: so.Mapped[dict] = so.mapped_column(sa.JSON)  # objective id -> 1..5
    relevance: so.Mapped[int] = so.mapped_column()  # 1..5
    would_recommend: so.Mapped[bool] = so.mapped_column()
    comment: so.Mapped[str | None] = so.mapped_column(sa.Text)


class CourseAccreditation(db.Model):
    """A CE approval an agency holds for one course; it overrides the agency-wide one."""

    __table_args__ = (sa.UniqueConstraint("agency_id", "course_slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id", ondelete="CASCADE"))
    course_slug: so.Mapped[str] = so.mapped_column(sa.String(100))
    provider: so.Mapped[str] = so.mapped_column(sa.String(200))
    approval_number: so.Mapped[str] = so.mapped_column(sa.String(100))
    approving_body: so.Mapped[str] = so.mapped_column(sa.String(200))


class Certificate(db.Model):
    """The facts printed on an issued certificate, frozen at issue, so it renders the same
    every time. The PDF bytes are cached after the first download."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    completion_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("course_completion.id", ondelete="CASCADE"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id"), index=True)
    learner_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    course_slug: so.Mapped[str] = so.mapped_column(sa.String(100))
    course_title: so.Mapped[str] = so.mapped_column(sa.String(300))
    course_version: so.Mapped[str] = so.mapped_column(sa.String(40))
    objectives: so.Mapped[list] = so.mapped_column(sa.JSON)
    completed_on: so.Mapped[date] = so.mapped_column(sa.Date)
    ce_hours: so.Mapped[float] = so.mapped_column(sa.Numeric(4, 2, asdecimal=False))
    agency_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    signer_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    signer_title: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    # The CE approval in force on the completion day (provider, number, body, contact); None:
    # a certificate of completion with no CE claim.
    accreditation: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    # The learner's licences on the completion day: [{kind, number, issuer, expires_on}].
    licences: so.Mapped[list | None] = so.mapped_column(sa.JSON, default=list)
    expires_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    # A re-issue keeps the original's facts and says when the original was issued.
    original_issued_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    # Open Badges names the recipient by a salted SHA-256 of their email, never in the clear.
    identity_salt: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    identity_hash: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    issued_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    revoked_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    replaced_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("certificate.id"))
    # Withdrawn at the holder's request when they were erased: only the code is left.
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    pdf: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    # CE hours by category ({ethics: 1.0}) and how it was delivered; None on older certificates
    # (a self-paced online course with no categories).
    ce_categories: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    delivery_format: so.Mapped[str | None] = so.mapped_column(sa.String(40))

    replaced_by: so.Mapped[Certificate | None] = so.relationship(remote_side=[id])

    @property
    def is_continuing_education(self) -> bool:
        return bool(self.accreditation)


class SigningKey(db.Model):
    """An agency's Ed25519 key for signing Open Badges. Keys are only added, never removed,
    so credentials signed with an older key still verify; the newest signs."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    kid: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    public_jwk: so.Mapped[dict] = so.mapped_column(sa.JSON)
    private_key_encrypted: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)  # PEM, encrypted with the Vault
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class AuditEvent(db.Model):
    """What an admin did, when, to what. Rows are only ever added."""

    __table_args__ = (sa.Index("ix_audit_event_agency_time", "agency_id", "created_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id"))
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    action: so.Mapped[str] = so.mapped_column(sa.String(60))
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    details: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Assignment(db.Model):
    """A rule that a course is required: for one person, a team, or everyone with a role.

    Team and role rules reach people added later too. Due: a fixed date, or a number of
    days after the person joined. Yearly renewal makes it due again a year after the last
    completion, shown renew_days_before that day.
    """

    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN user_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN team_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN role IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
        sa.CheckConstraint("(due_on IS NULL) OR (due_days_after_joining IS NULL)", name="one_due_rule"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id"), index=True)
    course_slug: so.Mapped[str] = so.mapped_column(sa.String(100))
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    team_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    role: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    due_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    due_days_after_joining: so.Mapped[int | None] = so.mapped_column()
    renew_yearly: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    renew_days_before: so.Mapped[int] = so.mapped_column(default=30, server_default="30")
    # Set when the rule was made by assigning a learning path: one rule per course of the path.
    path_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("learning_path.id", ondelete="CASCADE"))
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class SentReminder(db.Model):
    """Every reminder mail sent, so that sending again sends nothing twice."""

    __table_args__ = (sa.UniqueConstraint("user_id", "kind", "key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))  # due-soon, overdue, digest
    key: so.Mapped[str] = so.mapped_column(sa.String(200))  # what it was about, e.g. course and due date
    sent_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class AgencyCourse(db.Model):
    """A course an agency wrote for its own people, stored here rather than in courses/.

    draft_version is what admins edit; published_version is what learners are served
    (None until the first publish). Both name an AgencyCourseVersion by content hash.
    """

    __table_args__ = (sa.UniqueConstraint("agency_id", "slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id"), index=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(100))
    draft_version: so.Mapped[str] = so.mapped_column(sa.String(40))
    published_version: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class AgencyCourseVersion(db.Model):
    """One content of an agency course (file name -> text), never changed once written."""

    __table_args__ = (sa.UniqueConstraint("course_id", "content_hash"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    course_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency_course.id", ondelete="CASCADE"), index=True)
    content_hash: so.Mapped[str] = so.mapped_column(sa.String(40))
    files: so.Mapped[dict] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    published_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class AgencyBlock(db.Model):
    """An agency's text for a named block in lessons, such as its crisis steps. Markdown."""

    __table_args__ = (sa.UniqueConstraint("agency_id", "name"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(60))
    markdown: so.Mapped[str] = so.mapped_column(sa.Text)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class LearningPath(db.Model):
    """An agency's ordered list of courses, such as "Peer orientation"; assigned like a course."""

    __table_args__ = (sa.UniqueConstraint("agency_id", "slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(100))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    course_slugs: so.Mapped[list] = so.mapped_column(sa.JSON)  # in order
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class RenewalTemplate(db.Model):
    """What a board asks for to renew a certification, as an agency admin typed it in.

    category_minimums: {category: hours}; delivery_formats: the formats whose hours count."""

    __table_args__ = (sa.UniqueConstraint("agency_id", "name"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    period_months: so.Mapped[int] = so.mapped_column()
    total_hours: so.Mapped[float] = so.mapped_column(sa.Numeric(6, 2, asdecimal=False))
    category_minimums: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    delivery_formats: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    outside_hours_count: so.Mapped[bool] = so.mapped_column(default=True)
    outside_hours_need_verification: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class LearnerCertification(db.Model):
    """A certification a learner keeps by earning hours in each renewal period."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    template_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("renewal_template.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[str] = so.mapped_column(sa.String(100))
    period_ends_on: so.Mapped[date] = so.mapped_column(sa.Date)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    template: so.Mapped[RenewalTemplate] = so.relationship(lazy="joined")


class ExternalCeEntry(db.Model):
    """CE hours a learner earned elsewhere, with the certificate file they were given."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    provider: so.Mapped[str] = so.mapped_column(sa.String(200))
    taken_on: so.Mapped[date] = so.mapped_column(sa.Date)
    hours: so.Mapped[float] = so.mapped_column(sa.Numeric(5, 2, asdecimal=False))
    categories: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    delivery_format: so.Mapped[str] = so.mapped_column(sa.String(40))
    file: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    file_mimetype: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    file_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="pending")  # pending, verified, rejected
    reviewed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    reviewer_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    reviewed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    review_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class AgencyTraining(db.Model):
    """An in-person training a supervisor recorded; each attendee gets a certificate of attendance."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    held_on: so.Mapped[date] = so.mapped_column(sa.Date)
    hours: so.Mapped[float] = so.mapped_column(sa.Numeric(4, 2, asdecimal=False))
    categories: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class LoginThrottle(db.Model):
    """Recent failed logins for one account from one client address, for back-off.

    The key is an HMAC of the email and the address, so the table names no one. Kept in
    the database, so every worker and server sees it and a restart forgets nothing.
    """

    key: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    failures: so.Mapped[int] = so.mapped_column()
    last_failure_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), index=True)
    blocked_until: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class PdfCache(db.Model):
    """A learner's last rendered PDF of their private writing, encrypted like the writing.

    fingerprint is an HMAC (keyed with SECRET_KEY) of the HTML it was rendered from: the
    cache is used while nothing printed has changed, and reveals nothing of the text.
    """

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(30), primary_key=True)
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(64))
    pdf_encrypted: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class OutgoingMail(db.Model):
    """A mail waiting to go out, written in the same transaction as what caused it and sent
    by `flask mail send`. Tried again with growing pauses; after the last try it is "dead"
    and shown to the agency's admins.

    Invitations and password resets keep only the person: their link is made when the mail
    is sent. Other mails keep their text, encrypted, until they are sent.
    """

    __table_args__ = (sa.Index("ix_outgoing_mail_status_next_attempt_at", "status", "next_attempt_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(30))  # invitation, password-reset, reminder, digest
    recipient: so.Mapped[str] = so.mapped_column(sa.String(254))
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    body_encrypted: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="queued")  # queued, sending, sent, dead, cancelled
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    claimed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class LrsConnection(db.Model):
    """An agency's Learning Record Store: xAPI statements are made only while it has one.

    The secret is encrypted with the vault and never shown again. actor_namespace makes each
    learner's opaque xAPI account name; it outlives a change of endpoint, so the names stay.
    """

    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True)
    endpoint: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    key: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    secret_encrypted: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)
    actor_namespace: so.Mapped[str] = so.mapped_column(sa.String(36))
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class XapiStatement(db.Model):
    """An xAPI statement, written with the event that caused it and sent by `flask xapi send`.

    event_key names the event once per agency (a lesson completed twice is one statement);
    statement_id is the statement's UUID, so a statement sent again is the same statement
    to the LRS. The statement holds no names, emails or private writing. Kept after sending,
    for `flask xapi export`.
    """

    __table_args__ = (
        sa.UniqueConstraint("agency_id", "event_key"),
        sa.Index("ix_xapi_statement_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id", ondelete="CASCADE"))
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    event_key: so.Mapped[str] = so.mapped_column(sa.String(300))
    statement_id: so.Mapped[str] = so.mapped_column(sa.String(36), unique=True)
    statement: so.Mapped[dict] = so.mapped_column(sa.JSON)
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="queued")  # queued, sending, sent, dead
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    claimed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


network_admins = sa.Table(
    "network_admin",
    db.metadata,
    sa.Column("network_id", sa.ForeignKey("network.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Network(db.Model):
    """Agencies that agreed to let the network's admins see their training totals, never people."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    slug: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    admins: so.Mapped[list[User]] = so.relationship(secondary=network_admins)


class NetworkMembership(db.Model):
    """An agency's place in a network: invited by the network, a member once its admin accepts.

    status: invited, member, declined, left (the agency left) or removed (the network removed it).
    One row per network and agency; a new invitation after leaving reuses it.
    """

    __table_args__ = (sa.UniqueConstraint("network_id", "agency_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    network_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("network.id", ondelete="CASCADE"), index=True)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(12))
    invited_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    invited_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    changed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    network: so.Mapped[Network] = so.relationship()
    agency: so.Mapped[Agency] = so.relationship()
