"""Admins manage their agency's people and teams; every change is audit-logged."""

from datetime import date

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Agency, AuditEvent, Certificate, CourseCompletion, OutgoingMail, Team, User
from tests.conftest import Auth
from tests.smtp import DeliveredInbox, refused_port, smtp_server
from tests.web.helpers import COURSE, GOOD_EVALUATION, finish_lessons, pass_check


@pytest.fixture(autouse=True)
def inbox(app):
    """Every test here mails a real SMTP server on loopback, never port 25."""
    with smtp_server() as (inbox, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        yield DeliveredInbox(inbox, app)


@pytest.fixture
def admin(make_user):
    return make_user("admin", team=None)


@pytest.fixture
def token(auth, admin):
    auth.login(admin)
    return auth.token("/admin/people")


def audit_events(app, action):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def get_user(app, email):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        return user and (user, user.roles, user.team and user.team.name, sorted(t.name for t in user.supervised_teams))


def person_form(token, teams, **changes):
    form = {
        "csrf_token": token,
        "name": "Pat Jones",
        "email": "pat.jones@example.org",
        "roles": ["peer"],
        "team": str(teams["North"].id),
        "supervised_teams": [],
        "joined_on": "2025-03-14",
    }
    return {**form, **changes}


def other_agency(app, make_user):
    """An agency B with one person and one team; returns their ids."""
    with app.app_context():
        elsewhere = Agency(name="Elsewhere")
        db.session.add(elsewhere)
        db.session.flush()
        team = Team(agency_id=elsewhere.id, name="Their Team")
        db.session.add(team)
        db.session.commit()
    stranger = make_user("peer", team=None, agency_id=elsewhere.id, email="stranger@example.org")
    return stranger.id, team.id


ADMIN_PAGES = ["/admin/people", "/admin/people/new", "/admin/teams", "/admin/people/import"]


@pytest.mark.parametrize("role", ["peer", "clinician", "supervisor"])
def test_other_roles_are_refused(client, auth, make_user, teams, role):
    person = make_user(role)
    auth.login(person)
    for path in ADMIN_PAGES + [f"/admin/people/{person.id}", f"/admin/teams/{teams['North'].id}"]:
        assert client.get(path).status_code == 403, path
    token = auth.token()
    for path in [
        "/admin/people",
        f"/admin/people/{person.id}",
        f"/admin/people/{person.id}/deactivate",
        f"/admin/people/{person.id}/invitation",
        "/admin/teams",
        f"/admin/teams/{teams['North'].id}/deactivate",
        "/admin/people/import",
        "/admin/people/import/confirm",
    ]:
        assert client.post(path, data={"csrf_token": token, "name": "x"}).status_code == 403, path


def test_anonymous_is_sent_to_log_in(client):
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_admin_pages_render(client, token, admin, teams):
    for path in ADMIN_PAGES + [f"/admin/people/{admin.id}", f"/admin/teams/{teams['North'].id}"]:
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.get_data(as_text=True).count("<h1") == 1


def test_people_list_shows_people_and_finds_them(client, token, make_user):
    make_user("peer", email="robin.fox@example.org")
    make_user("clinician", team="South", email="kim@example.org")
    page = client.get("/admin/people").get_data(as_text=True)
    assert "robin.fox@example.org" in page and "kim@example.org" in page
    assert "Clinician" in page and "South" in page and "Active" in page
    found = client.get("/admin/people?q=FOX").get_data(as_text=True)
    assert "robin.fox@example.org" in found and "kim@example.org" not in found
    assert "No people match “100%”" in client.get("/admin/people?q=100%25").get_data(as_text=True)


def test_creating_a_person_invites_them_and_is_audited(app, client, token, admin, teams, inbox):
    response = client.post(
        "/admin/people", data=person_form(token, teams, roles=["peer", "supervisor"], supervised_teams=[str(teams["South"].id)])
    )
    assert response.status_code == 303
    user, roles, team, supervised = get_user(app, "pat.jones@example.org")
    assert response.headers["Location"] == f"/admin/people/{user.id}"
    assert roles == {"peer", "supervisor"} and team == "North" and supervised == ["South"]
    assert user.password_hash is None and user.joined_on == date(2025, 3, 14) and user.active
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "An invitation to set a password is on its way to pat.jones@example.org" in page
    assert "Send the invitation again" in page
    [mail] = inbox.messages
    assert mail["to"] == ["pat.jones@example.org"] and mail["subject"] == "Your Common Ground account is ready"
    [event] = audit_events(app, "person.create")
    assert event.actor_id == admin.id and event.subject == "pat.jones@example.org"
    assert event.details["roles"] == ["peer", "supervisor"] and event.details["supervised_teams"] == ["South"]


def test_joined_on_defaults_to_today(client, token):
    assert f'value="{date.today().isoformat()}"' in client.get("/admin/people/new").get_data(as_text=True)


def test_bad_input_is_explained_and_nothing_is_saved(app, client, token, teams, inbox):
    response = client.post(
        "/admin/people",
        data=person_form(
            token, teams, name=" ", email="pat(at)example.org", roles=[], supervised_teams=[str(teams["South"].id)], joined_on="14/03/2025"
        ),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page and "Nothing was saved yet" in page
    for message in (
        "Enter the person’s name.",
        "is not a valid email address",
        "Choose at least one role.",
        "Only supervisors supervise teams",
        "Enter the date they joined as year-month-day",
    ):
        assert message in page
    assert 'aria-describedby="email-hint email-error"' in page and 'id="email-error"' in page
    assert 'value="pat(at)example.org"' in page  # what they typed is kept
    assert get_user(app, "pat(at)example.org") is None and not inbox.messages


def test_an_email_already_in_use_is_refused_without_naming_the_other_agency(app, client, token, teams, make_user):
    make_user("peer", email="taken@example.org")
    other_agency(app, make_user)
    here = client.post("/admin/people", data=person_form(token, teams, email="Taken@example.org")).get_data(as_text=True)
    assert "Another person in your agency already has this email." in here
    there = client.post("/admin/people", data=person_form(token, teams, email="stranger@example.org")).get_data(as_text=True)
    assert "This email belongs to an account in another agency." in there and "Elsewhere" not in there


def test_editing_a_person_logs_each_change_from_and_to(app, client, token, admin, teams, make_user):
    person = make_user("peer", email="sam@example.org")
    response = client.post(
        f"/admin/people/{person.id}",
        data=person_form(
            token,
            teams,
            name="Sam Rivera",
            email="sam.rivera@example.org",
            roles=["clinician"],
            team=str(teams["South"].id),
            joined_on="2024-01-02",
        ),
    )
    assert response.status_code == 303
    _, roles, team, _ = get_user(app, "sam.rivera@example.org")
    assert roles == {"clinician"} and team == "South"
    [event] = audit_events(app, "person.update")
    assert event.actor_id == admin.id and event.subject == "sam.rivera@example.org"
    assert event.details["changes"]["name"] == {"from": "Test Peer", "to": "Sam Rivera"}
    assert event.details["changes"]["email"] == {"from": "sam@example.org", "to": "sam.rivera@example.org"}
    assert event.details["changes"]["roles"] == {"from": ["peer"], "to": ["clinician"]}
    assert event.details["changes"]["team"] == {"from": "North", "to": "South"}
    assert "joined_on" in event.details["changes"]


def test_saving_without_changes_logs_nothing(app, client, token, make_user, teams):
    person = make_user("peer", email="sam@example.org")
    with app.app_context():
        joined = db.session.get(User, person.id).joined_on.isoformat()
    client.post(f"/admin/people/{person.id}", data=person_form(token, teams, name="Test Peer", email="sam@example.org", joined_on=joined))
    assert audit_events(app, "person.update") == []


def test_an_admin_cannot_remove_their_own_admin_role_or_deactivate_themselves(app, client, token, admin, teams):
    response = client.post(f"/admin/people/{admin.id}", data=person_form(token, teams, name=admin.name, email=admin.email, roles=["peer"]))
    assert response.status_code == 422
    assert "You cannot remove the admin role from your own account" in response.get_data(as_text=True)
    response = client.post(f"/admin/people/{admin.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 303
    assert "You cannot deactivate your own account" in client.get(response.headers["Location"]).get_data(as_text=True)
    _, roles, _, _ = get_user(app, admin.email)
    assert roles == {"admin"} and get_user(app, admin.email)[0].active


def test_deactivated_person_cannot_log_in_and_keeps_their_records(app, client, token, admin, make_user):
    peer = make_user("peer")
    learner = app.test_client()
    learner_auth = Auth(learner)
    learner_auth.login(peer)
    learner_token = learner_auth.token()
    finish_lessons(learner, learner_token)
    pass_check(learner, learner_token)
    learner.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "csrf_token": learner_token})

    assert client.post(f"/admin/people/{peer.id}/deactivate", data={"csrf_token": token}).status_code == 303
    assert learner.get("/learn/").status_code == 302  # their open session ends too
    assert learner_auth.login(peer).status_code == 401
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseCompletion).where(CourseCompletion.user_id == peer.id)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate).where(Certificate.user_id == peer.id)) == 1
    assert "Deactivated" in client.get("/admin/people").get_data(as_text=True)

    client.post(f"/admin/people/{peer.id}/reactivate", data={"csrf_token": token})
    assert Auth(app.test_client()).login(peer).status_code == 303
    assert [e.subject for e in audit_events(app, "person.deactivate")] == [peer.email]
    assert [e.actor_id for e in audit_events(app, "person.reactivate")] == [admin.id]


def test_another_agencys_people_and_teams_are_not_found(app, client, token, make_user):
    person_id, team_id = other_agency(app, make_user)
    assert client.get(f"/admin/people/{person_id}").status_code == 404
    assert client.get(f"/admin/teams/{team_id}").status_code == 404
    for path in [
        f"/admin/people/{person_id}",
        f"/admin/people/{person_id}/deactivate",
        f"/admin/people/{person_id}/reactivate",
        f"/admin/people/{person_id}/invitation",
        f"/admin/teams/{team_id}",
        f"/admin/teams/{team_id}/deactivate",
        f"/admin/teams/{team_id}/reactivate",
    ]:
        assert client.post(path, data={"csrf_token": token, "name": "Taken over"}).status_code == 404, path
    assert "stranger@example.org" not in client.get("/admin/people?q=stranger").get_data(as_text=True)
    assert "Their Team" not in client.get("/admin/teams").get_data(as_text=True)


def test_another_agencys_team_cannot_be_chosen_for_a_person(app, client, token, teams, make_user):
    _, their_team = other_agency(app, make_user)
    response = client.post("/admin/people", data=person_form(token, teams, team=str(their_team)))
    assert response.status_code == 422 and "Choose a team from the list." in response.get_data(as_text=True)


def test_teams_are_created_renamed_supervised_and_deactivated_with_audit(app, client, token, admin, teams, make_user):
    response = client.post("/admin/teams", data={"csrf_token": token, "name": "  Night Shift "})
    assert response.status_code == 303
    with app.app_context():
        night = db.session.scalar(sa.select(Team).where(Team.name == "Night Shift"))
    assert response.headers["Location"] == f"/admin/teams/{night.id}"

    duplicate = client.post("/admin/teams", data={"csrf_token": token, "name": "night shift"})
    assert duplicate.status_code == 422 and "There is already a team called “Night Shift”." in duplicate.get_data(as_text=True)

    boss = make_user("supervisor", team=None, email="boss@example.org")
    page = client.get(f"/admin/teams/{night.id}").get_data(as_text=True)
    assert "boss@example.org" in page and admin.email not in page  # only supervisors are offered
    client.post(f"/admin/teams/{night.id}", data={"csrf_token": token, "name": "Nights", "supervisors": [str(boss.id)]})
    assert get_user(app, "boss@example.org")[3] == ["Nights"]
    refused = client.post(f"/admin/teams/{night.id}", data={"csrf_token": token, "name": "Nights", "supervisors": [str(admin.id)]})
    assert refused.status_code == 422 and "Choose supervisors from the list." in refused.get_data(as_text=True)

    client.post(f"/admin/teams/{night.id}/deactivate", data={"csrf_token": token})
    new_person_page = client.get("/admin/people/new").get_data(as_text=True)
    assert "Nights</option>" not in new_person_page and "Nights</label>" not in new_person_page
    assert "Deactivated" in client.get("/admin/teams").get_data(as_text=True)

    assert [e.subject for e in audit_events(app, "team.create")] == ["Night Shift"]
    [update] = audit_events(app, "team.update")
    assert update.details["changes"] == {
        "name": {"from": "Night Shift", "to": "Nights"},
        "supervisors": {"from": [], "to": ["boss@example.org"]},
    }
    assert [e.subject for e in audit_events(app, "team.deactivate")] == ["Nights"]


def test_a_person_keeps_their_deactivated_team_when_edited(app, client, token, teams, make_user):
    person = make_user("peer", email="sam@example.org")
    client.post(f"/admin/teams/{teams['North'].id}/deactivate", data={"csrf_token": token})
    page = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert "North (deactivated)" in page
    with app.app_context():
        joined = db.session.get(User, person.id).joined_on.isoformat()
    response = client.post(
        f"/admin/people/{person.id}", data=person_form(token, teams, name="Sam Two", email="sam@example.org", joined_on=joined)
    )
    assert response.status_code == 303 and get_user(app, "sam@example.org")[2] == "North"


def test_when_mail_is_down_the_invitation_waits_in_the_outbox_and_goes_later(app, client, token, teams, inbox):
    working_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = refused_port()  # nothing listens there
    response = client.post("/admin/people", data=person_form(token, teams))
    assert response.status_code == 303
    assert "Sent 0, failed 1" in inbox.deliver()
    assert get_user(app, "pat.jones@example.org") is not None
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "pat.jones@example.org" in page and "Waiting" in page and "ConnectionRefusedError" in page

    app.config["MAIL_PORT"] = working_port
    assert "Sent 0, failed 0" in inbox.deliver()  # not due yet: it waits a minute before the next try
    with app.app_context():
        db.session.execute(sa.update(OutgoingMail).values(next_attempt_at=OutgoingMail.created_at))
        db.session.commit()
    assert [m["to"] for m in inbox.messages] == [["pat.jones@example.org"]]
    assert [m["to"] for m in inbox.messages] == [["pat.jones@example.org"]]  # sent once, however often the worker runs


def test_an_invitation_can_be_sent_again(app, client, token, teams, inbox):
    client.post("/admin/people", data=person_form(token, teams))
    user = get_user(app, "pat.jones@example.org")[0]
    resent = client.post(f"/admin/people/{user.id}/invitation", data={"csrf_token": token})
    assert "A new invitation is on its way to pat.jones@example.org." in client.get(resent.headers["Location"]).get_data(as_text=True)
    assert [m["to"] for m in inbox.messages] == [["pat.jones@example.org"]] * 2


def test_no_invitation_for_someone_who_has_a_password(client, token, make_user, inbox):
    person = make_user("peer")
    assert "Send the invitation again" not in client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    response = client.post(f"/admin/people/{person.id}/invitation", data={"csrf_token": token})
    assert "does not need an invitation" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not inbox.messages


def people_count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(User))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": "x" * 201}, "Keep the name under 200 characters."),
        ({"email": ""}, "The email is missing."),
        ({"roles": ["peer", "owner"]}, "Choose roles from the list."),
        ({"team": "North"}, "Choose a team from the list."),
        ({"roles": ["supervisor"], "supervised_teams": ["999999"]}, "Choose teams from the list."),
        ({"joined_on": ""}, "Enter the date they joined as year-month-day"),
    ],
)
def test_each_refused_person_field_is_explained_and_nothing_is_saved(app, client, token, teams, inbox, changes, message):
    before = people_count(app)
    response = client.post("/admin/people", data=person_form(token, teams, **changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was saved yet" in page and message in page
    assert people_count(app) == before and not inbox.messages and audit_events(app, "person.create") == []


def test_a_deactivated_team_cannot_be_chosen_for_someone_who_does_not_have_it(app, client, token, teams):
    client.post(f"/admin/teams/{teams['South'].id}/deactivate", data={"csrf_token": token})
    as_team = client.post("/admin/people", data=person_form(token, teams, team=str(teams["South"].id)))
    assert as_team.status_code == 422 and "Choose a team from the list." in as_team.get_data(as_text=True)
    supervised = person_form(token, teams, roles=["supervisor"], supervised_teams=[str(teams["South"].id)])
    as_supervised = client.post("/admin/people", data=supervised)
    assert as_supervised.status_code == 422 and "Choose teams from the list." in as_supervised.get_data(as_text=True)
    assert get_user(app, "pat.jones@example.org") is None


def test_a_refused_change_leaves_the_person_as_they_were(app, client, token, teams, make_user):
    make_user("peer", email="taken@example.org")
    person = make_user("peer", email="sam@example.org")
    refused = client.post(
        f"/admin/people/{person.id}", data=person_form(token, teams, name="Sam Rivera", email="taken@example.org", roles=["clinician"])
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Another person in your agency already has this email." in page and 'value="Sam Rivera"' in page  # what they typed is kept
    user, roles, team, _ = get_user(app, "sam@example.org")
    assert (user.name, roles, team) == ("Test Peer", {"peer"}, "North") and audit_events(app, "person.update") == []


def test_the_email_is_kept_in_lower_case_without_spaces(app, client, token, teams):
    assert client.post("/admin/people", data=person_form(token, teams, email="  Pat.Jones@Example.org ")).status_code == 303
    assert get_user(app, "pat.jones@example.org") is not None


def test_a_person_who_stops_supervising_loses_their_teams_only_with_the_role(app, client, token, teams, make_user):
    boss = make_user("supervisor", email="boss@example.org")
    form = person_form(token, teams, name="Boss", email="boss@example.org", roles=["supervisor"], supervised_teams=[str(teams["South"].id)])
    assert client.post(f"/admin/people/{boss.id}", data=form).status_code == 303
    assert get_user(app, "boss@example.org")[3] == ["South"]
    no_role = client.post(f"/admin/people/{boss.id}", data={**form, "roles": ["peer"]})
    assert no_role.status_code == 422 and "Only supervisors supervise teams." in no_role.get_data(as_text=True)
    assert client.post(f"/admin/people/{boss.id}", data={**form, "roles": ["peer"], "supervised_teams": []}).status_code == 303
    assert get_user(app, "boss@example.org")[1:] == ({"peer"}, "North", [])


@pytest.mark.parametrize("name, message", [("   ", "Enter a name for the team."), ("T" * 201, "Keep the team name under 200 characters.")])
def test_a_refused_team_name_is_explained_and_nothing_is_saved(app, client, token, teams, name, message):
    added = client.post("/admin/teams", data={"csrf_token": token, "name": name})
    assert added.status_code == 422 and "The team was not added" in added.get_data(as_text=True)
    assert message in added.get_data(as_text=True)
    renamed = client.post(f"/admin/teams/{teams['North'].id}", data={"csrf_token": token, "name": name})
    assert renamed.status_code == 422 and message in renamed.get_data(as_text=True)
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(Team.name))) == ["North", "South"]
    assert audit_events(app, "team.create") == [] and audit_events(app, "team.update") == []


def test_a_refused_team_change_keeps_its_supervisors(app, client, token, teams, make_user):
    boss = make_user("supervisor", team=None, email="boss@example.org")
    north = f"/admin/teams/{teams['North'].id}"
    assert client.post(north, data={"csrf_token": token, "name": "North", "supervisors": [str(boss.id)]}).status_code == 303
    refused = client.post(north, data={"csrf_token": token, "name": "south", "supervisors": []})
    assert refused.status_code == 422 and "There is already a team called “South”." in refused.get_data(as_text=True)
    assert get_user(app, "boss@example.org")[3] == ["North"]
