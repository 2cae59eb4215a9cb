"""The access matrix: every route × method × kind of person, generated from app.url_map.

Who may use an endpoint is declared once, in ACCESS below, with a small vocabulary:

    PUBLIC              anyone, logged in or not
    ANY_USER            anyone logged in (anonymous: redirect to the login page)
    ROLE_AUDIENCE       a course's pages: people whose roles are in the course's audiences,
                        and admins; other logged-in people 403
    OWNER_ONLY          the learner's own object (reflection, certificate): anyone else 404
    OWNER_IN_COURSE     the learner's own object inside a course (a check attempt): people
                        outside the course's audience 403 (the course is refused first), others 404
    SUPERVISOR_PAGE     any supervisor (the page shows their own teams); other roles 403
    SUPERVISOR_OF_TEAM  a person on a team the supervisor supervises; the supervisor of
                        another team 404, other roles 403
    ADMIN_PAGE          any admin (the page shows their own agency); other roles 403
    ADMIN_OF_AGENCY     an object of the admin's own agency, by id; another agency's admin
                        404, other roles 403
    OWNER_OR_ADMIN      the learner's own file (an external CE certificate): the learner and
                        their agency's admin; anyone else 404 (supervisors included)
    REVIEWER_PAGE       admins and supervisors (the page shows their agency or teams); others 403
    REVIEWER_OF_ENTRY   a learner's external CE entry: their agency's admin and their team's
                        supervisor; another agency's admin or another team's supervisor 404,
                        other roles 403
    DEVELOPMENT_ONLY    pages that exist only in development, from this computer: 404 for
                        everyone here (tests/web/test_dev_mail.py covers development)
    NETWORK_PAGE        the network admin's own network (totals, agencies); everyone else 403

A network admin belongs to no agency: every route not PUBLIC or NETWORK_PAGE answers them
404 (logging out aside), whatever its rule says for the agency's people.

and how to fill the URL's parameters: by default the peer's objects (DEFAULT_PARAMS);
an endpoint that changes or deletes its object gets a fresh one for each test (FRESH).

The world is built once per database: agency A with teams North and South, agency B.
Agency A is a member of a network. The actors: anonymous; the peer (A, North), who owns a reflection, a passed check attempt
and a certificate; another peer (A, South); a clinician (A, North); the supervisor of
North; the supervisor of South; the admin of A; the admin of B; the network's admin. Each test starts from a
copy of the actor's logged-in session cookie (sessions are signed cookies, so nothing a
test does to its session reaches another test; after a logout, which ends every session
of the person, the actor logs in again) and a fresh client address, so rate
limits never answer instead of the access check. Every POST carries a valid CSRF token.

Besides the status, every answer is searched for things that must not leak: the peer's
reflection text, email and certificate code, and agency A's logo.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for
from werkzeug.security import generate_password_hash

from lms import create_app
from lms.domain.course_files import MemoryFolder
from lms.domain.course_loader import content_version
from lms.extensions import db
from lms.models import (
    Agency,
    AgencyCourse,
    AgencyCourseVersion,
    Assignment,
    Certificate,
    CheckAttempt,
    CourseCompletion,
    ExternalCeEntry,
    LearnerCertification,
    LearningPath,
    NetworkMembership,
    ProfessionalCredential,
    Reflection,
    RenewalTemplate,
    Team,
    User,
)
from lms.services import account_links, networks
from lms.services.accounts import create_user
from lms.services.certificates import issue_certificate
from lms.services.private_writing import save_reflection
from tests.conftest import BACKENDS, PASSWORD, Auth, csrf_token_from, make_config
from tests.web.helpers import GOOD_EVALUATION, finish_lessons, pass_check

# The vocabulary

PUBLIC = "PUBLIC"
ANY_USER = "ANY_USER"
ROLE_AUDIENCE = "ROLE_AUDIENCE"
OWNER_ONLY = "OWNER_ONLY"
OWNER_IN_COURSE = "OWNER_IN_COURSE"
SUPERVISOR_PAGE = "SUPERVISOR_PAGE"
SUPERVISOR_OF_TEAM = "SUPERVISOR_OF_TEAM"
ADMIN_PAGE = "ADMIN_PAGE"
ADMIN_OF_AGENCY = "ADMIN_OF_AGENCY"
OWNER_OR_ADMIN = "OWNER_OR_ADMIN"
REVIEWER_PAGE = "REVIEWER_PAGE"
REVIEWER_OF_ENTRY = "REVIEWER_OF_ENTRY"
DEVELOPMENT_ONLY = "DEVELOPMENT_ONLY"
NETWORK_PAGE = "NETWORK_PAGE"

OK, LOGIN = "allowed", "login"  # outcomes besides 403 and 404

ACTORS = ("anonymous", "peer", "other_peer", "clinician", "supervisor", "other_supervisor", "admin", "other_admin", "network_admin")
ROLES = {
    "anonymous": frozenset(),
    "peer": frozenset({"peer"}),
    "other_peer": frozenset({"peer"}),
    "clinician": frozenset({"clinician"}),
    "supervisor": frozenset({"supervisor"}),
    "other_supervisor": frozenset({"supervisor"}),
    "admin": frozenset({"admin"}),
    "other_admin": frozenset({"admin"}),
    "network_admin": frozenset({"network-admin"}),
}
OPEN_TO_NETWORK_ADMINS = {"auth.logout"}
COURSE_SLUG, LESSON = "starting-out", "welcome"
AGENCY_COURSE_FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "agency-courses" / "our-supervision-routine"
AGENCY_COURSE_SLUG, AGENCY_COURSE_TITLE = AGENCY_COURSE_FOLDER.name, "Our supervision routine"
NAMES = {"peer": "Pat Canary", "other_peer": "Sol Southside"}  # easy to spot where they must not be
LICENCE_CANARY = "canary-licence-4711"
ENTRY_CANARY = "canary-outside-training-title"
FILE_CANARY = "canary-certificate-file-bytes"
CERTIFICATION_CANARY = "canary-certification-number"

# URL parameters, by name: an attribute of the World (the peer's objects), or a literal.
DEFAULT_PARAMS = {
    "slug": COURSE_SLUG,
    "lesson_id": LESSON,
    "attempt_id": "attempt_id",
    "reflection_id": "reflection_id",
    "code": "certificate_code",
    "user_id": "peer_id",
    "team_id": "team_id",
    "assignment_id": "assignment_id",
    "certificate_id": "certificate_id",
    "course_id": "agency_course_id",
    "name": "crisis-steps",
    "path_id": "learning_path_id",
    "agency_id": "agency_id",
    "list_number": "0",
    "certification_id": "certification_id",
    "entry_id": "entry_id",
    "template_id": "template_id",
    "mail_id": "1",
    "network_id": "network_id",
}


@dataclass(frozen=True)
class Access:
    rule: str
    params: dict = field(default_factory=dict)  # overrides of DEFAULT_PARAMS for this endpoint


FRESH_REFLECTION = {"reflection_id": "fresh_reflection"}
FRESH_PERSON = {"user_id": "fresh_person"}
FRESH_TEAM = {"team_id": "fresh_team"}
FRESH_ASSIGNMENT = {"assignment_id": "fresh_assignment"}
FRESH_CERTIFICATE = {"certificate_id": "fresh_certificate"}
FRESH_AGENCY_COURSE = {"course_id": "fresh_agency_course"}
FRESH_LICENCE = {"licence_id": "fresh_licence"}
FRESH_CERTIFICATION = {"certification_id": "fresh_certification"}
FRESH_ENTRY = {"entry_id": "fresh_entry"}
FRESH_TEMPLATE = {"template_id": "fresh_template"}
FRESH_INVITATION = {"network_id": "fresh_invitation"}  # a new network inviting agency A
FRESH_MEMBERSHIP = {"network_id": "fresh_membership"}  # a new network agency A belongs to
FRESH_INVITED_AGENCY = {"agency_id": "fresh_invited_agency"}  # a new agency the network invited

ACCESS = {
    "index": Access(PUBLIC),
    "help.help_page": Access(PUBLIC),
    # auth: public by nature (a logged-in person asking for the login page is sent home)
    "auth.login_form": Access(PUBLIC),
    "auth.login": Access(PUBLIC),
    "auth.logout": Access(ANY_USER),
    "auth.reset_request_form": Access(PUBLIC),
    "auth.request_reset": Access(PUBLIC),
    "auth.reset_password_form": Access(PUBLIC, {"token": "reset_token"}),
    "auth.reset_password": Access(PUBLIC, {"token": "reset_token"}),
    "auth.invitation_form": Access(PUBLIC, {"token": "invitation_token"}),
    "auth.accept_invitation": Access(PUBLIC, {"token": "invitation_token"}),
    # learning
    "learn.my_learning": Access(ANY_USER),
    "learn.agency_logo": Access(ANY_USER),
    "learn.show_course": Access(ROLE_AUDIENCE),
    "learn.show_lesson": Access(ROLE_AUDIENCE),
    "learn.complete_lesson": Access(ROLE_AUDIENCE),
    "learn.save_reflection": Access(ROLE_AUDIENCE),
    "learn.show_check": Access(ROLE_AUDIENCE),
    "learn.show_check_result": Access(OWNER_IN_COURSE),
    "learn.submit_check": Access(OWNER_IN_COURSE),
    "learn.show_evaluation": Access(ROLE_AUDIENCE),
    "learn.submit_course_evaluation": Access(ROLE_AUDIENCE),
    # private writing: everyone has their own; the peer's objects by id are the peer's alone
    "learn.my_reflections": Access(ANY_USER),
    "learn.download_reflections_markdown": Access(ANY_USER),
    "learn.download_reflections_pdf": Access(ANY_USER),
    "learn.delete_reflection": Access(OWNER_ONLY, FRESH_REFLECTION),
    "learn.delete_all_reflections": Access(ANY_USER),
    "learn.show_plan": Access(ANY_USER),
    "learn.save_plan": Access(ANY_USER),
    "learn.download_plan_pdf": Access(ANY_USER),
    "learn.email_settings": Access(SUPERVISOR_PAGE),
    "learn.save_email_settings": Access(SUPERVISOR_PAGE),
    # certificates
    "certificates.my_certificates": Access(ANY_USER),
    "certificates.transcript_csv": Access(ANY_USER),
    "certificates.transcript_pdf": Access(ANY_USER),
    "certificates.download_pdf": Access(OWNER_ONLY),
    "certificates.download_open_badge": Access(OWNER_ONLY),
    "certificates.download_signed_badge": Access(OWNER_ONLY),
    "verify.verify_form": Access(PUBLIC),
    "verify.verify_code": Access(PUBLIC),
    # what a credential points at: public by design (no learner data)
    "public.issuer_profile": Access(PUBLIC),
    "public.status_list": Access(PUBLIC),
    "public.course_description": Access(PUBLIC),
    "public.achievement": Access(PUBLIC),
    # a person's own profile
    "account.profile": Access(ANY_USER),
    "account.change_password": Access(ANY_USER),
    "account.add_licence": Access(ANY_USER),
    "account.remove_licence": Access(OWNER_ONLY, FRESH_LICENCE),
    # supervisors
    "supervise.matrix": Access(SUPERVISOR_PAGE),
    "supervise.export_matrix": Access(SUPERVISOR_PAGE),
    "supervise.person": Access(SUPERVISOR_OF_TEAM),
    "supervise.export_form": Access(SUPERVISOR_PAGE),
    "supervise.export_certificates": Access(SUPERVISOR_PAGE),  # their own teams' certificates only
    "supervise.send_reminder": Access(SUPERVISOR_OF_TEAM),
    # admins: pages about their own agency
    "admin.home": Access(ADMIN_PAGE),
    "admin.compliance_csv": Access(ADMIN_PAGE),
    "admin.compliance_pdf": Access(ADMIN_PAGE),
    "admin.assignments": Access(ADMIN_PAGE),
    "admin.add_assignment": Access(ADMIN_PAGE),
    "admin.audit_log": Access(ADMIN_PAGE),
    "admin.mail_outbox": Access(ADMIN_PAGE),
    "admin.lrs_settings": Access(ADMIN_PAGE),
    "admin.save_lrs_settings": Access(ADMIN_PAGE),
    "admin.remove_lrs_settings": Access(ADMIN_PAGE),
    "admin.requeue_dead_statements": Access(ADMIN_PAGE),
    "admin.certificate_list": Access(ADMIN_PAGE),
    "admin.export_form": Access(ADMIN_PAGE),
    "admin.export_certificates": Access(ADMIN_PAGE),
    "admin.course_health": Access(ADMIN_PAGE),
    "admin.evaluations": Access(ADMIN_PAGE),
    "admin.evaluation_summary": Access(ADMIN_PAGE),
    "admin.people_list": Access(ADMIN_PAGE),
    "admin.new_person": Access(ADMIN_PAGE),
    "admin.create_person": Access(ADMIN_PAGE),
    "admin.import_form": Access(ADMIN_PAGE),
    "admin.preview_import": Access(ADMIN_PAGE),
    "admin.confirm_import": Access(ADMIN_PAGE),
    "admin.role_card": Access(ADMIN_PAGE),
    "admin.save_role_card": Access(ADMIN_PAGE),
    "admin.settings": Access(ADMIN_PAGE),
    "admin.ce_approvals": Access(ADMIN_PAGE),
    "admin.save_ce_approval": Access(ADMIN_PAGE),
    "admin.remove_ce_approval": Access(ADMIN_PAGE),  # by course slug, inside the admin's own agency
    "admin.save_settings": Access(ADMIN_PAGE),
    "admin.team_list": Access(ADMIN_PAGE),
    "admin.create_team": Access(ADMIN_PAGE),
    "admin.agency_course_list": Access(ADMIN_PAGE),
    "admin.agency_block_list": Access(ADMIN_PAGE),
    "admin.learning_path_list": Access(ADMIN_PAGE),
    "admin.create_learning_path": Access(ADMIN_PAGE),
    "admin.edit_agency_block": Access(ADMIN_PAGE),
    "admin.save_agency_block": Access(ADMIN_PAGE),
    "admin.create_agency_course": Access(ADMIN_PAGE),
    "admin.upload_agency_course": Access(ADMIN_PAGE),
    # admins: agency A's objects by id
    "admin.remove_assignment": Access(ADMIN_OF_AGENCY, FRESH_ASSIGNMENT),
    "admin.confirm_revoke_certificate": Access(ADMIN_OF_AGENCY, FRESH_CERTIFICATE),
    "admin.revoke_certificate": Access(ADMIN_OF_AGENCY, FRESH_CERTIFICATE),
    "admin.undo_revocation": Access(ADMIN_OF_AGENCY, FRESH_CERTIFICATE),
    "admin.reissue_certificate": Access(ADMIN_OF_AGENCY, FRESH_CERTIFICATE),
    "admin.show_person": Access(ADMIN_OF_AGENCY),
    "admin.add_person_licence": Access(ADMIN_OF_AGENCY, FRESH_PERSON),
    "admin.update_person_licence": Access(ADMIN_OF_AGENCY, FRESH_LICENCE),
    "admin.remove_person_licence": Access(ADMIN_OF_AGENCY, FRESH_LICENCE),
    "admin.update_person": Access(ADMIN_OF_AGENCY, FRESH_PERSON),
    "admin.deactivate_person": Access(ADMIN_OF_AGENCY, FRESH_PERSON),
    "admin.reactivate_person": Access(ADMIN_OF_AGENCY, FRESH_PERSON),
    "admin.resend_invitation": Access(ADMIN_OF_AGENCY, FRESH_PERSON),
    "admin.confirm_erase_person": Access(ADMIN_OF_AGENCY),
    "admin.erase_person": Access(ADMIN_OF_AGENCY, FRESH_PERSON),  # an empty form erases no one (422)
    "admin.invitations_list": Access(ADMIN_PAGE),  # their own agency's invitations only
    "admin.resend_invitations": Access(ADMIN_PAGE),  # ids of another agency's people are ignored
    "admin.show_team": Access(ADMIN_OF_AGENCY),
    "admin.update_team": Access(ADMIN_OF_AGENCY, FRESH_TEAM),
    "admin.deactivate_team": Access(ADMIN_OF_AGENCY, FRESH_TEAM),
    "admin.reactivate_team": Access(ADMIN_OF_AGENCY, FRESH_TEAM),
    "admin.assign_learning_path": Access(ADMIN_OF_AGENCY),
    "admin.edit_agency_course": Access(ADMIN_OF_AGENCY),
    "admin.save_agency_course": Access(ADMIN_OF_AGENCY),
    "admin.preview_agency_course": Access(ADMIN_OF_AGENCY),
    "admin.publish_agency_course": Access(ADMIN_OF_AGENCY),
    "admin.unpublish_agency_course": Access(ADMIN_OF_AGENCY, FRESH_AGENCY_COURSE),
    "admin.agency_course_versions": Access(ADMIN_OF_AGENCY),
    "admin.export_agency_course": Access(ADMIN_OF_AGENCY),
    # renewal: a learner's certifications, outside training and reports are theirs alone;
    # an outside certificate's file also reaches their agency's admins
    "renewal.my_certifications": Access(ANY_USER),
    "renewal.add_certification": Access(ANY_USER),
    "renewal.remove_certification": Access(OWNER_ONLY, FRESH_CERTIFICATION),
    "renewal.report_pdf": Access(OWNER_ONLY),
    "renewal.report_csv": Access(OWNER_ONLY),
    "renewal.report_zip": Access(OWNER_ONLY),
    "renewal.add_entry": Access(ANY_USER),
    "renewal.remove_entry": Access(OWNER_ONLY, FRESH_ENTRY),
    "renewal.entry_file": Access(OWNER_OR_ADMIN),
    "renewal.templates": Access(ADMIN_PAGE),
    "renewal.create_template": Access(ADMIN_PAGE),
    "renewal.remove_template": Access(ADMIN_OF_AGENCY, FRESH_TEMPLATE),
    "renewal.review_queue": Access(REVIEWER_PAGE),
    "renewal.review_entry": Access(REVIEWER_OF_ENTRY, FRESH_ENTRY),
    "renewal.save_alerts": Access(SUPERVISOR_PAGE),
    "renewal.attendance_form": Access(SUPERVISOR_PAGE),
    "renewal.record_attendance": Access(SUPERVISOR_PAGE),
    # a person's data to take away: theirs, or made by their agency's admin on their request
    "data_rights.download_person_data": Access(OWNER_OR_ADMIN),
    # development only: the local outbox of mail (/dev/mail)
    "dev.mail_list": Access(DEVELOPMENT_ONLY),
    "dev.show_mail": Access(DEVELOPMENT_ONLY),
    "dev.mail_html": Access(DEVELOPMENT_ONLY),
    # networks: a network admin's totals; an agency admin's answers to invitations
    "networks.home": Access(NETWORK_PAGE),
    "networks.totals": Access(NETWORK_PAGE),
    "networks.totals_csv": Access(NETWORK_PAGE),
    "networks.agencies": Access(NETWORK_PAGE),
    "networks.invite_agency": Access(NETWORK_PAGE),
    "networks.remove_agency": Access(NETWORK_PAGE, FRESH_INVITED_AGENCY),
    "networks.agency_networks": Access(ADMIN_PAGE),
    "networks.accept_invitation": Access(ADMIN_OF_AGENCY, FRESH_INVITATION),
    "networks.decline_invitation": Access(ADMIN_OF_AGENCY, FRESH_INVITATION),
    "networks.leave_network": Access(ADMIN_OF_AGENCY, FRESH_MEMBERSHIP),
}

# What an endpoint shows anyone on purpose: verification shows the learner's name.
PUBLIC_BY_DESIGN = {
    "verify.verify_code": {NAMES["peer"]},
    # the peer's data, which their admin may produce for them on request (audit-logged)
    "data_rights.download_person_data": {"canary-reflection", CERTIFICATION_CANARY},
}

# (endpoint, method, actor) -> why the app is wrong there. Each is a strict xfail: when the
# app is fixed, the test passes, fails as XPASS, and the entry must go.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}


def expected(rule: str, actor: str, audiences: frozenset, endpoint: str = "") -> str | int:
    """What the actor must get from an endpoint with this rule: OK, LOGIN, 403 or 404."""
    if rule == DEVELOPMENT_ONLY:
        return 404
    if rule == PUBLIC:
        return OK
    if actor == "anonymous":
        return LOGIN
    if actor == "network_admin":
        return OK if rule == NETWORK_PAGE or endpoint in OPEN_TO_NETWORK_ADMINS else 404
    if rule == NETWORK_PAGE:
        return 403
    roles = ROLES[actor]
    in_course = bool(roles & audiences) or "admin" in roles
    if rule == ANY_USER:
        return OK
    if rule == ROLE_AUDIENCE:
        return OK if in_course else 403
    if rule == OWNER_ONLY:
        return OK if actor == "peer" else 404
    if rule == OWNER_IN_COURSE:
        return OK if actor == "peer" else 404 if in_course else 403
    if rule == SUPERVISOR_PAGE:
        return OK if "supervisor" in roles else 403
    if rule == SUPERVISOR_OF_TEAM:
        return OK if actor == "supervisor" else 404 if "supervisor" in roles else 403
    if rule == ADMIN_PAGE:
        return OK if "admin" in roles else 403
    if rule == ADMIN_OF_AGENCY:
        return OK if actor == "admin" else 404 if "admin" in roles else 403
    if rule == OWNER_OR_ADMIN:
        return OK if actor in ("peer", "admin") else 404
    if rule == REVIEWER_PAGE:
        return OK if roles & {"admin", "supervisor"} else 403
    if rule == REVIEWER_OF_ENTRY:
        return OK if actor in ("admin", "supervisor") else 404 if roles & {"admin", "supervisor"} else 403
    raise AssertionError(f"unknown rule {rule}")


# The routes, read from the app itself


def _routes():
    app = create_app(make_config("sqlite://"))
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes[(rule.endpoint, method)] = (rule.rule, tuple(sorted(rule.arguments)))
    with app.app_context():
        db.engine.dispose()
    return routes


ROUTES = _routes()


def _cases():
    for (endpoint, method), actor in itertools.product(sorted(ROUTES), ACTORS):
        bug = KNOWN_BUGS.get((endpoint, method, actor))
        marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
        yield pytest.param(endpoint, method, actor, marks=marks, id=f"{endpoint}-{method}-{actor}")


# The world


@dataclass
class World:
    app: object
    sessions: dict  # actor -> (their session cookie, their CSRF token)
    peer_id: int
    team_id: int  # the peer's team (North)
    agency_id: int
    attempt_id: int
    reflection_id: int
    certificate_id: int
    certificate_code: str
    certification_id: int
    entry_id: int
    template_id: int
    assignment_id: int
    agency_course_id: int  # agency A's own published course
    learning_path_id: int
    south_id: int  # the other peer's team
    network_id: int  # the network agency A belongs to, run by the network admin
    reset_token: str
    invitation_token: str
    secrets: dict  # text -> the actors who alone may ever receive it
    password_hash: str
    emails: dict  # actor -> email, to log an actor in again
    addresses: itertools.count = field(default_factory=lambda: itertools.count(1))

    # Fresh objects, for endpoints that change or delete what they are given.

    def fresh_reflection(self) -> int:
        with self.app.app_context():
            save_reflection(self.app.extensions["vault"], self.peer_id, COURSE_SLUG, "listening", "canary-reflection fresh")
            db.session.commit()
            return db.session.scalar(
                sa.select(Reflection.id).where(Reflection.user_id == self.peer_id, Reflection.lesson_id == "listening")
            )

    def fresh_person(self) -> int:
        with self.app.app_context():
            person = User(
                agency_id=self.agency_id,
                team_id=self.team_id,
                email=f"fresh{next(self.addresses)}@a.example.org",
                name="Fresh Person",
                password_hash=self.password_hash,
            )
            person.set_roles({"peer"})
            db.session.add(person)
            db.session.commit()
            return person.id

    def fresh_team(self) -> int:
        with self.app.app_context():
            team = Team(agency_id=self.agency_id, name=f"Fresh team {next(self.addresses)}")
            db.session.add(team)
            db.session.commit()
            return team.id

    def fresh_assignment(self) -> int:
        with self.app.app_context():
            assignment = Assignment(agency_id=self.agency_id, course_slug=COURSE_SLUG, role="peer")
            db.session.add(assignment)
            db.session.commit()
            return assignment.id

    def fresh_certificate(self) -> int:
        with self.app.app_context():
            original = db.session.get(Certificate, self.certificate_id)
            certificate = issue_certificate(db.session.get(CourseCompletion, original.completion_id), original.objectives)
            db.session.commit()
            return certificate.id

    def fresh_agency_course(self) -> int:
        with self.app.app_context():
            return publish_agency_course(self.agency_id, f"{AGENCY_COURSE_SLUG}-{next(self.addresses)}")

    def fresh_licence(self) -> int:
        with self.app.app_context():
            licence = ProfessionalCredential(user_id=self.peer_id, kind="CPS", number=f"fresh-{next(self.addresses)}", issuer="Some Board")
            db.session.add(licence)
            db.session.commit()
            return licence.id

    def fresh_certification(self) -> int:
        with self.app.app_context():
            certification = LearnerCertification(
                user_id=self.peer_id, template_id=self.template_id, number="fresh", period_ends_on=date(2027, 6, 30)
            )
            db.session.add(certification)
            db.session.commit()
            return certification.id

    def fresh_entry(self) -> int:
        with self.app.app_context():
            return _outside_entry(self.peer_id, "fresh outside training").id

    def fresh_template(self) -> int:
        with self.app.app_context():
            template = RenewalTemplate(
                agency_id=self.agency_id,
                name=f"Fresh requirement {next(self.addresses)}",
                period_months=24,
                total_hours=10,
                category_minimums={},
                delivery_formats=["in-person"],
                outside_hours_count=True,
                outside_hours_need_verification=True,
            )
            db.session.add(template)
            db.session.commit()
            return template.id

    def fresh_invitation(self) -> int:
        with self.app.app_context():
            network = networks.create_network(f"Inviting network {next(self.addresses)}")
            db.session.add(NetworkMembership(network_id=network.id, agency_id=self.agency_id, status="invited"))
            db.session.commit()
            return network.id

    def fresh_membership(self) -> int:
        with self.app.app_context():
            network = networks.create_network(f"Joined network {next(self.addresses)}")
            db.session.add(NetworkMembership(network_id=network.id, agency_id=self.agency_id, status="member"))
            db.session.commit()
            return network.id

    def fresh_invited_agency(self) -> int:
        with self.app.app_context():
            agency = Agency(name=f"Invited agency {next(self.addresses)}")
            db.session.add(agency)
            db.session.flush()
            db.session.add(NetworkMembership(network_id=self.network_id, agency_id=agency.id, status="invited"))
            db.session.commit()
            return agency.id

    def url(self, endpoint: str, method: str) -> str:
        _, arguments = ROUTES[(endpoint, method)]
        values = {}
        for name in arguments:
            source = ACCESS[endpoint].params.get(name, DEFAULT_PARAMS.get(name))
            assert source is not None, f"no way to fill <{name}> of {endpoint}: add it to DEFAULT_PARAMS or the declaration"
            if source.startswith("fresh_"):
                values[name] = getattr(self, source)()
            else:
                values[name] = getattr(self, source, source)
        with self.app.test_request_context():
            return url_for(endpoint, **values)

    def renew_session(self, actor: str) -> None:
        """After a request that ended every session of the actor (logout), log them in again."""
        client, token = _log_in(self.app, _Detached(self.emails[actor]))
        self.sessions[actor] = (client.get_cookie(self.app.config["SESSION_COOKIE_NAME"]).value, token)

    def client(self, actor: str):
        client = self.app.test_client()
        address = next(self.addresses)
        client.environ_base["REMOTE_ADDR"] = f"10.{address // 65536 % 256}.{address // 256 % 256}.{address % 256}"
        cookie, _ = self.sessions[actor]
        client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], cookie)
        return client


def _outside_entry(user_id: int, title: str) -> ExternalCeEntry:
    entry = ExternalCeEntry(
        user_id=user_id,
        title=title,
        provider="Elsewhere",
        taken_on=date(2026, 5, 1),
        hours=2,
        categories={"ethics": 1.0},
        delivery_format="in-person",
        file=b"%PDF-1.4 " + FILE_CANARY.encode(),
        file_mimetype="application/pdf",
        file_name="certificate-2026-05-01.pdf",
        status="pending",
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def _log_in(app, user):
    client = app.test_client()
    auth = Auth(client)
    assert auth.login(user).status_code == 303
    token = auth.token()  # puts the CSRF secret in the session, so take the cookie after
    return client, token


def _build(app) -> World:
    with app.app_context():
        agency = Agency(name="Agency A")
        elsewhere = Agency(name="Agency B")
        # served as-is by /learn/agency-logo: agency A's must never reach agency B
        agency.logo, agency.logo_mimetype = b"\x89PNG canary-logo-of-agency-A", "image/png"
        elsewhere.logo, elsewhere.logo_mimetype = b"\x89PNG logo of agency B", "image/png"
        db.session.add_all([agency, elsewhere])
        db.session.flush()
        north, south = Team(agency_id=agency.id, name="North"), Team(agency_id=agency.id, name="South")
        east = Team(agency_id=elsewhere.id, name="East")
        db.session.add_all([north, south, east])
        db.session.flush()
        make = {
            "peer": (agency, "peer-canary@a.example.org", ["peer"], north),
            "other_peer": (agency, "other-peer@a.example.org", ["peer"], south),
            "clinician": (agency, "clinician@a.example.org", ["clinician"], north),
            "supervisor": (agency, "supervisor@a.example.org", ["supervisor"], None),
            "other_supervisor": (agency, "other-supervisor@a.example.org", ["supervisor"], None),
            "admin": (agency, "admin@a.example.org", ["admin"], None),
            "other_admin": (elsewhere, "admin@b.example.org", ["admin"], east),
            "network_admin": (None, "admin@network.example.org", ["network-admin"], None),
        }
        users = {
            actor: create_user(a, email, NAMES.get(actor, actor.replace("_", " ").title()), roles, PASSWORD, team)
            for actor, (a, email, roles, team) in make.items()
        }
        network = networks.create_network("Valley Network")
        network.admins.append(users["network_admin"])
        db.session.add(NetworkMembership(network_id=network.id, agency_id=agency.id, status="member"))
        users["supervisor"].supervised_teams.append(north)
        users["other_supervisor"].supervised_teams.append(south)
        invitee = create_user(agency, "invitee@a.example.org", "Invited Person", ["peer"], None, north)
        resetter = create_user(agency, "resetter@a.example.org", "Forgetful Person", ["peer"], PASSWORD, north)
        assignment = Assignment(agency_id=agency.id, course_slug=COURSE_SLUG, role="peer")
        db.session.add(assignment)
        # the peer's licence number: the peer and their admin see it; a supervisor only that one exists
        db.session.flush()
        db.session.add(ProfessionalCredential(user_id=users["peer"].id, kind="CPS", number=LICENCE_CANARY, issuer="Canary Board"))
        template = RenewalTemplate(
            agency_id=agency.id,
            name="Demo State Board: peer specialist",
            period_months=24,
            total_hours=20,
            category_minimums={"ethics": 3.0},
            delivery_formats=["self-paced-online", "in-person"],
            outside_hours_count=True,
            outside_hours_need_verification=True,
        )
        db.session.add(template)
        db.session.flush()
        certification = LearnerCertification(
            user_id=users["peer"].id, template_id=template.id, number=CERTIFICATION_CANARY, period_ends_on=date(2027, 6, 30)
        )
        db.session.add(certification)
        db.session.commit()
        agency_course_id = publish_agency_course(agency.id, AGENCY_COURSE_SLUG)
        path = LearningPath(agency_id=agency.id, slug="orientation", title="Orientation", course_slugs=[COURSE_SLUG])
        db.session.add(path)
        db.session.commit()
        learning_path_id = path.id
        entry_id = _outside_entry(users["peer"].id, ENTRY_CANARY).id
        template_id, certification_id = template.id, certification.id
        ids = {actor: user.id for actor, user in users.items()}
        peer_email, other_peer_email = users["peer"].email, users["other_peer"].email
        south_id, network_id = south.id, network.id
        reset_token = urlsplit(account_links.link_url(resetter, account_links.PASSWORD_RESET)).path.rsplit("/", 1)[1]
        invitation_token = urlsplit(account_links.link_url(invitee, account_links.INVITATION)).path.rsplit("/", 1)[1]
        agency_id, team_id, assignment_id = agency.id, north.id, assignment.id
        users = {actor: _Detached(user.email) for actor, user in users.items()}

    sessions = {}
    anonymous = app.test_client()
    anonymous_token = csrf_token_from(anonymous.get("/auth/login").get_data(as_text=True))
    sessions["anonymous"] = (anonymous.get_cookie(app.config["SESSION_COOKIE_NAME"]).value, anonymous_token)
    for actor, user in users.items():
        client, token = _log_in(app, user)
        if actor == "peer":  # the peer's private reflection, a passed check, a certificate
            course = f"/learn/courses/{COURSE_SLUG}/"
            saved = client.post(
                course + "lessons/supervision/reflection", data={"reflection": "canary-reflection of the peer", "csrf_token": token}
            )
            assert saved.status_code == 303
            finish_lessons(client, token)
            assert pass_check(client, token).status_code == 303
            assert client.post(course + "evaluation", data={**GOOD_EVALUATION, "csrf_token": token}).status_code == 303
        sessions[actor] = (client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value, token)

    with app.app_context():
        peer_id = ids["peer"]
        attempt_id = db.session.scalar(sa.select(CheckAttempt.id).where(CheckAttempt.user_id == peer_id, CheckAttempt.passed))
        reflection_id = db.session.scalar(sa.select(Reflection.id).where(Reflection.user_id == peer_id))
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == peer_id))
        assert attempt_id and reflection_id and certificate
    everyone_in_a = {"peer", "other_peer", "clinician", "supervisor", "other_supervisor", "admin"}
    return World(
        app=app,
        sessions=sessions,
        peer_id=peer_id,
        team_id=team_id,
        agency_id=agency_id,
        attempt_id=attempt_id,
        reflection_id=reflection_id,
        certificate_id=certificate.id,
        certificate_code=certificate.code,
        certification_id=certification_id,
        entry_id=entry_id,
        template_id=template_id,
        assignment_id=assignment_id,
        agency_course_id=agency_course_id,
        learning_path_id=learning_path_id,
        south_id=south_id,
        network_id=network_id,
        reset_token=reset_token,
        invitation_token=invitation_token,
        secrets={
            "canary-reflection": {"peer"},  # private writing: the author alone, ever
            peer_email: {"peer", "supervisor", "admin"},  # the peer's supervisor and agency admin
            other_peer_email: {"other_peer", "other_supervisor", "admin"},
            NAMES["peer"]: {"peer", "supervisor", "admin"},
            NAMES["other_peer"]: {"other_peer", "other_supervisor", "admin"},
            certificate.code: {"peer", "supervisor", "admin"},
            LICENCE_CANARY: {"peer", "admin"},
            CERTIFICATION_CANARY: {"peer"},
            ENTRY_CANARY: {"peer", "supervisor", "admin"},  # the peer's reviewers see what they review
            FILE_CANARY: {"peer", "admin"},
            "canary-logo-of-agency-A": everyone_in_a,
            AGENCY_COURSE_TITLE: everyone_in_a,  # agency A's own course
        },
        password_hash=generate_password_hash(PASSWORD),
        emails={actor: user.email for actor, user in users.items()},
    )


def publish_agency_course(agency_id: int, slug: str) -> int:
    """Agency A's own course, published as the admin pages would (the fixture passes every gate)."""
    files = {path.name: path.read_text(encoding="utf-8") for path in AGENCY_COURSE_FOLDER.iterdir()}
    version = content_version(MemoryFolder(slug, files))
    course = AgencyCourse(agency_id=agency_id, slug=slug, draft_version=version, published_version=version)
    db.session.add(course)
    db.session.flush()
    db.session.add(AgencyCourseVersion(course_id=course.id, content_hash=version, files=files))
    db.session.commit()
    return course.id


@dataclass
class _Detached:
    email: str


@pytest.fixture(
    scope="module",
    params=[pytest.param(b, marks=[pytest.mark.postgresql] if b == "postgresql" else [], id=b) for b in BACKENDS],
)
def world(request, database_urls):
    app = create_app(
        make_config(
            database_urls[request.param],
            LOGIN_RATE_LIMIT="10000 per minute",
            LOGIN_FAILURE_LIMIT="10000 per minute",
            VERIFY_RATE_LIMIT="10000 per minute",
        )
    )
    try:
        yield _build(app)
    finally:
        with app.app_context():
            with db.engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())
            db.engine.dispose()


# The tests


def test_every_route_has_exactly_one_declaration():
    endpoints = {endpoint for endpoint, _ in ROUTES}
    assert sorted(endpoints - ACCESS.keys()) == [], "declare who may use these new endpoints in ACCESS"
    assert sorted(ACCESS.keys() - endpoints) == [], "these declarations name endpoints that no longer exist"
    for (endpoint, _), (_, arguments) in ROUTES.items():
        for name in arguments:
            assert name in ACCESS[endpoint].params or name in DEFAULT_PARAMS, (endpoint, name)


def test_no_declaration_lets_a_stranger_at_an_object_by_id():
    """Any route that takes an object's id or code refuses those it does not belong to."""
    owned = {
        "attempt_id",
        "reflection_id",
        "code",
        "user_id",
        "team_id",
        "assignment_id",
        "certificate_id",
        "course_id",
        "path_id",
        "licence_id",
        "certification_id",
        "entry_id",
        "template_id",
        "network_id",
    }
    for (endpoint, _), (_, arguments) in ROUTES.items():
        if owned & set(arguments) and endpoint != "verify.verify_code":  # a certificate code is public by design
            outcomes = {actor: expected(ACCESS[endpoint].rule, actor, frozenset({"peer"})) for actor in ACTORS}
            assert outcomes["other_admin"] in (403, 404), endpoint
            assert outcomes["other_peer"] in (403, 404), endpoint
            assert outcomes["anonymous"] == LOGIN, endpoint


def test_the_leak_checks_are_not_vacuous(world):
    """Each secret really is on a page its owner sees, so its absence elsewhere means something."""
    peer = world.client("peer")
    assert "canary-reflection of the peer" in peer.get("/learn/reflections").get_data(as_text=True)
    assert world.certificate_code in peer.get("/certificates/").get_data(as_text=True)
    assert b"canary-logo-of-agency-A" in peer.get("/learn/agency-logo").data
    people = world.client("admin").get("/admin/people").get_data(as_text=True)
    for secret in world.secrets:
        if secret.endswith("@a.example.org") or secret in NAMES.values():
            assert secret in people, secret
    assert LICENCE_CANARY in peer.get("/account/").get_data(as_text=True)
    assert CERTIFICATION_CANARY in peer.get("/renewal/").get_data(as_text=True)
    assert ENTRY_CANARY in peer.get("/renewal/").get_data(as_text=True)
    assert FILE_CANARY.encode() in peer.get(f"/renewal/entries/{world.entry_id}/file").data
    assert FILE_CANARY.encode() in world.client("admin").get(f"/renewal/entries/{world.entry_id}/file").data
    assert ENTRY_CANARY in world.client("supervisor").get("/renewal/review").get_data(as_text=True)
    assert LICENCE_CANARY in world.client("admin").get(f"/admin/people/{world.peer_id}").get_data(as_text=True)
    assert NAMES["peer"] in world.client("supervisor").get("/supervise/").get_data(as_text=True)
    assert NAMES["other_peer"] in world.client("other_supervisor").get("/supervise/").get_data(as_text=True)


# Endpoints that end every session of the person calling them (the stored cookie with it).
SESSION_ENDING = {"auth.logout"}


@pytest.mark.parametrize("endpoint, method, actor", list(_cases()))
def test_access(world, endpoint, method, actor):
    access = ACCESS[endpoint]
    audiences = world.app.extensions["catalog"].get(COURSE_SLUG).audiences
    outcome = expected(access.rule, actor, frozenset(audiences), endpoint)
    url = world.url(endpoint, method)
    client = world.client(actor)
    if method == "POST":
        response = client.post(url, data={"csrf_token": world.sessions[actor][1]})
    else:
        response = client.get(url)
    body = response.get_data()
    if endpoint in SESSION_ENDING and actor != "anonymous":
        world.renew_session(actor)
    status = response.status_code
    location = urlsplit(response.headers.get("Location", "")).path
    to_login = status == 302 and location == "/auth/login"  # what login_required answers
    where = f"{method} {url} as {actor} ({access.rule}): {status} {location}"

    assert status < 500, where
    assert b"did not come from this site" not in body, f"{where}: the CSRF check answered, not the access check"
    if outcome == LOGIN:
        assert to_login, where
    elif outcome in (403, 404):
        assert status == outcome, where  # above all: no unexpected 200 for someone who must not see it
    elif method == "GET":
        assert 200 <= status < 400 and not to_login, where
    else:  # an empty form may be refused (400, 422), but never for want of access
        assert status not in (401, 403, 404, 405) and not to_login, where

    for secret, allowed in world.secrets.items():
        if actor not in allowed and secret not in url and secret not in PUBLIC_BY_DESIGN.get(endpoint, ()):
            assert secret.encode() not in body, f"{where} leaks {secret!r}"


# Query strings the matrix does not vary: filters and searches must not reach past the
# actor's teams or agency either.
PROBES = [
    ("supervisor", "/supervise/?team={south_id}"),
    ("supervisor", "/supervise/matrix.csv?team={south_id}"),
    ("other_supervisor", "/supervise/?team={team_id}"),
    ("other_supervisor", "/supervise/matrix.csv?team={team_id}"),
    ("other_admin", "/admin/people?q=canary"),
    ("other_admin", "/admin/people?q=a.example.org"),
    ("other_admin", "/admin/certificates?q=peer"),
    ("other_admin", "/admin/evaluations/starting-out"),
    ("other_admin", "/admin/audit?actor={peer_id}"),
    ("other_admin", "/admin/assignments"),
    ("other_admin", "/admin/teams"),
    ("other_admin", "/admin/certificates/export.zip?status=valid"),
    ("other_supervisor", "/supervise/certificates.zip"),
    ("other_supervisor", "/renewal/review"),
    ("other_admin", "/renewal/review"),
    ("other_admin", "/renewal/admin/templates"),
    ("other_supervisor", "/renewal/trainings"),
]


AGENCY_COURSE_PAGES = ["", "lessons/getting-ready", "check", "evaluation"]


@pytest.mark.parametrize("page", AGENCY_COURSE_PAGES)
def test_an_agency_course_is_served_to_that_agency_only(world, page):
    """Agency A's published course, for its audience (peers, supervisors) and admins; agency B never finds it."""
    path = f"/learn/courses/{AGENCY_COURSE_SLUG}/{page}"
    for actor in ("peer", "supervisor", "admin"):
        assert world.client(actor).get(path).status_code == 200, (actor, path)
    assert world.client("clinician").get(path).status_code == 403  # not one of the course's audiences
    assert world.client("other_admin").get(path).status_code == 404
    assert AGENCY_COURSE_TITLE.encode() not in world.client("other_admin").get("/learn/").get_data()


@pytest.mark.parametrize("actor, path", PROBES, ids=[f"{a}-{p}" for a, p in PROBES])
def test_filters_and_searches_stay_inside_teams_and_agency(world, actor, path):
    path = path.format(south_id=world.south_id, team_id=world.team_id, peer_id=world.peer_id)
    response = world.client(actor).get(path)
    assert response.status_code == 200, path
    body = response.get_data()
    for secret, allowed in world.secrets.items():
        if actor not in allowed:
            assert secret.encode() not in body, f"GET {path} as {actor} leaks {secret!r}"
    if actor == "other_admin":
        for text in (b"North", b"South", b"Agency A"):
            assert text not in body, f"GET {path} as {actor} shows agency A's {text!r}"
