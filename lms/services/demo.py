"""Demo data, so a newcomer can log in and look around. Never in production."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from lms.domain.courses import Catalog, Course
from lms.domain.evaluation import read_evaluation
from lms.domain.renewal import DELIVERY_FORMATS
from lms.domain.roles import ADMIN, CLINICIAN, PEER, SUPERVISOR
from lms.extensions import db
from lms.models import Assignment, Certificate, RenewalTemplate, Team, User
from lms.services import checks, progress
from lms.services.accounts import agency_named, create_user
from lms.services.certificates import revoke
from lms.services.completion import complete_if_done
from lms.services.evaluations import submit_evaluation

DEMO_PASSWORD = "demo-password"  # noqa: S105  (public on purpose: demo data never loads in production)
# The demo password is public, so its hash needs no strength. A cheap one lets every start
# check in milliseconds which demo logins still work (a password changed on the site gets
# the full-strength hash again, and is then not listed).
DEMO_HASH_METHOD = "pbkdf2:sha256:1000"
DEMO_AGENCY = "Riverside Community Services (demo)"
DEMO_USERS = (
    # email, name, roles, team
    ("peer@example.org", "Jordan Rivera", {PEER}, "Peer Support Team"),
    ("clinician@example.org", "Dr. Sam Okafor", {CLINICIAN}, "Integrated Care Team"),
    ("supervisor@example.org", "Alex Chen", {SUPERVISOR}, None),
    ("admin@example.org", "Morgan Lee", {ADMIN}, None),
)
SUPERVISED_TEAM = "Peer Support Team"
DEMO_COMPLETED_COURSE = "self-care"
DEMO_RENEWAL_TEMPLATE = "Demo State Board (fictional): Certified Peer Specialist"
FINISHED = -1
DEMO_TEAM = (  # name, joined how many days ago, lessons done (FINISHED: the whole course, check and feedback)
    ("Tasha Green", 400, FINISHED),
    ("Marcus Bell", 250, FINISHED),
    ("Lena Ortiz", 180, FINISHED),
    ("Ana Silva", 150, FINISHED),
    ("Omar Haddad", 21, FINISHED),  # finished, then his certificate was revoked: due again soon
    ("Priya Nair", 20, 3),
    ("Devon Walsh", 14, 2),
    ("Keisha Brown", 10, 1),
    ("Luis Moreno", 5, 0),
    ("Hannah Cho", 2, 0),
    ("Theo Grant", 75, 0),  # joined long ago, never started: overdue
)
DEMO_REVOKED_EMAIL = "omar.haddad@example.org"


class DemoRefused(RuntimeError):
    pass


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def existing_demo_logins() -> list[tuple[str, str]]:
    """The demo logins still in the database (they may have been removed or changed)."""
    emails = [email for email, *_ in DEMO_USERS]
    users = db.session.scalars(sa.select(User).where(User.email.in_(emails), User.active)).all()
    by_email = {
        user.email: user
        for user in users
        if (user.password_hash or "").startswith(DEMO_HASH_METHOD + "$") and user.check_password(DEMO_PASSWORD)
    }
    return [(email, ", ".join(sorted(by_email[email].roles))) for email in emails if email in by_email]


def load_demo(environment: str, catalog: Catalog) -> list[tuple[str, str]]:
    """Create the demo agency and logins; return (email, role names) for each login.

    The demo peer has already completed one course, so a newcomer sees a real
    certificate, transcript and verification page at once.
    """
    if environment == "production":
        raise DemoRefused("demo data is never loaded in production: its passwords are public")
    if not database_is_empty():
        raise DemoRefused("the database already has users; demo data is only loaded into an empty one")
    agency = agency_named(DEMO_AGENCY)
    agency.certificate_signer_name = "Morgan Lee"
    agency.certificate_signer_title = "Training Director"
    teams = {name: Team(agency=agency, name=name) for name in ("Peer Support Team", "Integrated Care Team")}
    db.session.add_all(teams.values())
    logins = []
    for email, name, roles, team in DEMO_USERS:
        user = create_user(agency, email, name, roles, None, teams.get(team))
        user.password_hash = generate_password_hash(DEMO_PASSWORD, method=DEMO_HASH_METHOD)
        if SUPERVISOR in roles:
            user.supervised_teams.append(teams[SUPERVISED_TEAM])
        logins.append((email, ", ".join(sorted(roles))))
    peer = db.session.scalar(sa.select(User).where(User.email == DEMO_USERS[0][0]))
    peer_course = catalog.get(DEMO_COMPLETED_COURSE) or next((c for c in catalog if c.is_for(peer.roles)), None)
    # Agency-wide orientation, as the research recommends: every clinician takes the
    # peer-role course within 30 days, every peer the self-care course, renewed yearly.
    required = [(CLINICIAN, catalog.get("peer-role-for-clinicians"), False), (PEER, peer_course, True)]
    for role, course, renew in required:
        if course is not None:
            db.session.add(
                Assignment(agency_id=agency.id, course_slug=course.slug, role=role, due_days_after_joining=30, renew_yearly=renew)
            )
    # A made-up board, so the renewal tracker has something to show; never a real board's rules.
    db.session.add(
        RenewalTemplate(
            agency_id=agency.id,
            name=DEMO_RENEWAL_TEMPLATE,
            period_months=24,
            total_hours=20.0,
            category_minimums={"ethics": 3.0, "cultural-responsiveness": 2.0},
            delivery_formats=list(DELIVERY_FORMATS),
            outside_hours_count=True,
            outside_hours_need_verification=True,
        )
    )
    db.session.flush()
    if peer_course is not None:
        complete_course_for_demo(peer, peer_course)
        _demo_team(agency, teams[SUPERVISED_TEAM], peer_course)
    return logins


def _demo_team(agency, team: Team, course: Course) -> None:
    """The rest of the supervised team, at every stage, so the team view has something to say.

    They have no password: they are there to be seen, not to log in.
    """
    today = date.today()
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    for name, joined_days_ago, lessons_done in DEMO_TEAM:
        user = create_user(agency, name.lower().replace(" ", ".") + "@example.org", name, {PEER}, None, team)
        user.joined_on = today - timedelta(days=joined_days_ago)
        if lessons_done == FINISHED:
            complete_course_for_demo(user, course)
        else:
            for lesson_id in course.lesson_ids[:lessons_done]:
                progress.complete_lesson(user.id, course, lesson_id)
    db.session.flush()
    # One certificate revoked, so the admin pages show what that looks like.
    certificate = db.session.scalar(
        sa.select(Certificate).join(User, User.id == Certificate.user_id).where(User.email == DEMO_REVOKED_EMAIL)
    )
    if certificate is not None and admin is not None:
        revoke(certificate, admin, "Issued to the wrong person during a records clean-up (demo).")


def complete_course_for_demo(user: User, course: Course) -> None:
    """Walk a learner through a course the way the site would: lessons, check, evaluation."""
    for lesson_id in course.lesson_ids:
        progress.complete_lesson(user.id, course, lesson_id)
    if course.questions:
        attempt = checks.open_attempt(user.id, course)
        served = course.questions_for(user.roles)
        answers = {q.id: next(c.id for c in q.choices if c.correct) for q in served}
        checks.submit(attempt, course, user.roles, answers, user.agency.default_pass_mark)
    if course.requires_evaluation:
        ratings = {f"objective-{o.id}": "5" for o in course.objectives}
        answers, _ = read_evaluation(course, {**ratings, "relevance": "5", "would_recommend": "yes"})
        submit_evaluation(user.id, course, answers)
    complete_if_done(user.id, course)
