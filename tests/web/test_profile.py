"""A learner's own profile: licences, password; what admins and supervisors see of licences;
licences from an import file; licences on CE certificates only."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Agency, AuditEvent, ProfessionalCredential, Team, User
from lms.services import user_import
from tests.conftest import PASSWORD, Auth

LICENCE = {"kind": "CPS", "number": "PA-55821", "issuer": "Pennsylvania Certification Board", "expires_on": "2027-03-31"}


def test_learner_adds_and_removes_a_licence(app, client, auth, token, peer):
    page = client.get("/account/").get_data(as_text=True)
    assert peer.name in page and "ask your administrator" in page
    refused = client.post("/account/licences", data={"kind": "CPS", "number": "", "issuer": "", "csrf_token": token})
    assert refused.status_code == 422 and "Enter the number" in refused.get_data(as_text=True)
    assert client.post("/account/licences", data={**LICENCE, "csrf_token": token}).status_code == 303
    page = client.get("/account/").get_data(as_text=True)
    assert "CPS PA-55821" in page and "March 31, 2027" in page
    with app.app_context():
        licence_id = db.session.scalar(sa.select(ProfessionalCredential.id))
    assert client.post(f"/account/licences/{licence_id}/delete", data={"csrf_token": token}).status_code == 303
    assert "PA-55821" not in client.get("/account/").get_data(as_text=True)


def test_password_change_needs_the_current_password(app, client, auth, token, peer):
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "nope",
            "new_password": "a-new-password-1",
            "new_password_again": "a-new-password-1",
            "csrf_token": token,
        },
    )
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    done = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a-new-password-1",
            "new_password_again": "a-new-password-1",
            "csrf_token": token,
        },
    )
    assert done.status_code == 303
    other = app.test_client()
    assert Auth(other).login(peer, "a-new-password-1").status_code == 303


def test_another_learner_cannot_remove_a_licence(app, client, token, peer, make_user):
    client.post("/account/licences", data={**LICENCE, "csrf_token": token})
    with app.app_context():
        licence_id = db.session.scalar(sa.select(ProfessionalCredential.id))
    stranger = app.test_client()
    stranger_auth = Auth(stranger)
    stranger_auth.login(make_user("peer"))
    response = stranger.post(f"/account/licences/{licence_id}/delete", data={"csrf_token": stranger_auth.token()})
    assert response.status_code == 404
    assert "PA-55821" not in stranger.get("/account/").get_data(as_text=True)


def added_licence(app, client, token) -> int:
    """The learner adds LICENCE on their profile; its id."""
    client.post("/account/licences", data={**LICENCE, "csrf_token": token})
    with app.app_context():
        return db.session.scalar(sa.select(ProfessionalCredential.id))


def signed_in_admin(app, make_user):
    """A client logged in as a new admin of the agency, and its CSRF token."""
    admin = app.test_client()
    auth = Auth(admin)
    auth.login(make_user("admin"))
    return admin, auth.token()


def test_admin_sees_and_edits_licences_supervisor_only_that_one_exists(app, client, token, peer, make_user):
    licence_id = added_licence(app, client, token)
    admin, admin_token = signed_in_admin(app, make_user)
    assert "PA-55821" in admin.get(f"/admin/people/{peer.id}").get_data(as_text=True)
    admin.post(f"/admin/licences/{licence_id}", data={**LICENCE, "number": "PA-99999", "csrf_token": admin_token})
    admin.post(
        f"/admin/people/{peer.id}/licences", data={"kind": "LCSW", "number": "LC-1", "issuer": "Ohio Board", "csrf_token": admin_token}
    )
    page = admin.get(f"/admin/people/{peer.id}").get_data(as_text=True)
    assert "PA-99999" in page and "LC-1" in page and "PA-55821" not in page
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"licence.add", "licence.update"} <= actions

    supervisor = make_user("supervisor", team=None)
    with app.app_context():
        boss = db.session.get(User, supervisor.id)
        boss.supervised_teams.append(db.session.get(Team, db.session.get(User, peer.id).team_id))
        db.session.commit()
    watching = app.test_client()
    Auth(watching).login(supervisor)
    page = watching.get(f"/supervise/people/{peer.id}").get_data(as_text=True)
    assert "Licence or certification on file: yes" in page
    assert "PA-99999" not in page and "LC-1" not in page and "Ohio Board" not in page


def test_import_file_may_carry_a_licence(app, runner, agency, teams):
    csv_text = (
        "name,email,roles,team,supervisor_email,licence_type,licence_number,licence_issuer,licence_expires\n"
        "Robin Vale,robin@example.org,peer,North,,CPRS,88-100,Texas Certification Board,2028-01-31\n"
        "Sam Hale,sam@example.org,peer,North,,,,,\n"
    )
    with app.app_context():
        plan = user_import.plan_for_text(db.session.get(Agency, agency.id), None, csv_text)
        assert not plan.has_errors
        user_import.apply_plan(db.session.get(Agency, agency.id), None, plan, "people.csv")
        db.session.commit()
        rows = db.session.execute(
            sa.select(User.email, ProfessionalCredential.kind, ProfessionalCredential.number, ProfessionalCredential.expires_on).join(User)
        ).all()
    assert [(r.email, r.kind, r.number, r.expires_on.isoformat()) for r in rows] == [("robin@example.org", "CPRS", "88-100", "2028-01-31")]
    broken = (
        "name,email,roles,team,supervisor_email,licence_type,licence_number,licence_issuer,licence_expires\n"
        "Kim Lo,kim@example.org,peer,North,,CPS,,Board,someday\n"
    )
    with app.app_context():
        plan = user_import.plan_for_text(db.session.get(Agency, agency.id), None, broken)
    [row] = plan.rows
    assert any("licence_number is empty" in p for p in row.problems) and any("someday" in p for p in row.problems)


def saved_licences(app):
    with app.app_context():
        return db.session.execute(
            sa.select(
                ProfessionalCredential.kind, ProfessionalCredential.number, ProfessionalCredential.issuer, ProfessionalCredential.expires_on
            )
        ).all()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"kind": "  "}, "Enter the type."),
        ({"issuer": ""}, "Enter the issuing state or board."),
        ({"kind": "C" * 41}, "Keep this under 40 characters."),
        ({"number": "9" * 101}, "Keep this under 100 characters."),
        ({"expires_on": "31/03/2027"}, "Enter the expiry date like 2027-03-31, or leave it empty."),
    ],
)
def test_a_refused_licence_is_explained_and_nothing_is_saved(app, client, token, peer, changes, message):
    refused = client.post("/account/licences", data={**LICENCE, **changes, "csrf_token": token})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "The licence is not saved" in page and message in page
    assert saved_licences(app) == []


def test_a_licence_is_saved_single_spaced_and_may_have_no_expiry(app, client, token, peer):
    sent = {**LICENCE, "kind": " CPS ", "issuer": "Pennsylvania \n Certification  Board", "expires_on": "", "csrf_token": token}
    assert client.post("/account/licences", data=sent).status_code == 303
    assert saved_licences(app) == [("CPS", "PA-55821", "Pennsylvania Certification Board", None)]


def test_an_admin_refused_licence_change_is_explained_and_keeps_the_licence(app, client, token, peer, make_user):
    licence_id = added_licence(app, client, token)
    admin, admin_token = signed_in_admin(app, make_user)
    refused = admin.post(f"/admin/licences/{licence_id}", data={**LICENCE, "number": "", "csrf_token": admin_token})
    assert "The licence is not saved: Enter the number." in admin.get(refused.headers["Location"]).get_data(as_text=True)
    added = admin.post(f"/admin/people/{peer.id}/licences", data={**LICENCE, "expires_on": "soon", "csrf_token": admin_token})
    assert "Enter the expiry date like 2027-03-31" in admin.get(added.headers["Location"]).get_data(as_text=True)
    assert [row.number for row in saved_licences(app)] == ["PA-55821"]


@pytest.mark.parametrize(
    "new, again, message, not_shown",
    [
        ("short", "short", "Use at least 10 characters.", None),
        ("short", "other", "Use at least 10 characters.", "not the same"),
        ("a-new-password-1", "a-new-password-2", "The two new passwords are not the same.", None),
    ],
)
def test_a_refused_new_password_is_explained_and_the_old_one_still_works(app, client, token, peer, new, again, message, not_shown):
    refused = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": new, "new_password_again": again, "csrf_token": token}
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Your password is not changed" in page and message in page
    assert not_shown is None or not_shown not in page
    assert Auth(app.test_client()).login(peer).status_code == 303
