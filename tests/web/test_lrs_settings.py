"""The LRS settings page, and that statements are made only for an agency with an LRS."""

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Agency, AuditEvent, Certificate, LrsConnection, XapiStatement
from tests.conftest import Auth
from tests.web.helpers import COURSE, GOOD_EVALUATION, finish_lessons, pass_check

ENDPOINT = "https://lrs.example.org/xAPI"
SECRET = "s3cret-only-the-lrs-knows"


def admin_client(app, make_user, **kwargs):
    client = app.test_client()
    auth = Auth(client)
    auth.login(make_user("admin", **kwargs))
    return client, auth.token("/admin/lrs")


def save(client, token, **values):
    return client.post("/admin/lrs", data={"endpoint": ENDPOINT, "key": "agency-key", "secret": SECRET, "csrf_token": token, **values})


def statements(app):
    with app.app_context():
        return db.session.scalars(sa.select(XapiStatement).order_by(XapiStatement.id)).all()


def test_the_secret_is_encrypted_at_rest_and_never_shown_again(app, make_user):
    client, token = admin_client(app, make_user)
    assert save(client, token).status_code == 303
    page = client.get("/admin/lrs").get_data(as_text=True)
    assert ENDPOINT in page and "agency-key" in page and "A secret is saved" in page
    assert SECRET not in page
    with app.app_context():
        connection = db.session.scalar(sa.select(LrsConnection))
        assert SECRET.encode() not in connection.secret_encrypted
        assert app.extensions["vault"].decrypt(connection.secret_encrypted) == SECRET
        audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "lrs.update"))
        assert SECRET not in str(audit.details) and audit.details["secret_changed"] is True
    # A blank secret keeps the saved one.
    assert save(client, token, endpoint=ENDPOINT + "/", secret="").status_code == 303
    with app.app_context():
        connection = db.session.scalar(sa.select(LrsConnection))
        assert app.extensions["vault"].decrypt(connection.secret_encrypted) == SECRET and connection.endpoint.endswith("/")


def test_bad_settings_are_refused_with_clear_errors_and_nothing_saved(app, make_user):
    client, token = admin_client(app, make_user)
    for values, message in (
        ({"endpoint": "http://lrs.example.org/xAPI"}, "Use an https:// address"),
        ({"endpoint": "https://127.0.0.1:8100/xAPI"}, "private network"),
        ({"endpoint": "https://localhost/xAPI"}, "private network"),
        ({"endpoint": "https://10.1.2.3/xAPI"}, "private network"),
        ({"endpoint": "https://[::1]/xAPI"}, "private network"),
        ({"endpoint": "https://169.254.169.254/latest"}, "private network"),
        ({"endpoint": "https://lrs.example.org:port/xAPI"}, "starting with https://"),
        ({"endpoint": "lrs.example.org"}, "starting with https://"),
        ({"endpoint": "https://user:pw@lrs.example.org/xAPI"}, "Give the address alone"),
        ({"key": " "}, "Enter the key"),
        ({"secret": ""}, "Enter the secret"),
    ):
        response = save(client, token, **values)
        assert response.status_code == 422 and message in response.get_data(as_text=True), values
        assert SECRET not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LrsConnection)) == 0


def test_statements_are_made_only_while_the_agency_has_an_lrs(app, make_user, peer, token):
    peer_client = app.test_client()
    Auth(peer_client).login(peer)
    peer_client.get(COURSE + "lessons/welcome")
    assert statements(app) == []  # no LRS: nothing made

    admin, admin_token = admin_client(app, make_user)
    save(admin, admin_token)
    peer_client.get(COURSE + "lessons/listening")
    [made] = statements(app)
    assert made.statement["object"]["id"].endswith(COURSE + "lessons/listening")
    assert peer.name not in str(made.statement) and peer.email not in str(made.statement)

    admin.post("/admin/lrs/remove", data={"csrf_token": admin_token})
    peer_client.get(COURSE + "lessons/supervision")
    assert len(statements(app)) == 1
    assert "No LRS is set up" in admin.get("/admin/lrs").get_data(as_text=True)


def test_statements_left_waiting_when_the_lrs_is_removed_are_not_sent(app, make_user, peer):
    admin, admin_token = admin_client(app, make_user)
    save(admin, admin_token)
    peer_client = app.test_client()
    Auth(peer_client).login(peer)
    peer_client.get(COURSE + "lessons/welcome")
    admin.post("/admin/lrs/remove", data={"csrf_token": admin_token})
    output = app.test_cli_runner().invoke(args=["xapi", "send"]).output
    assert "Sent 0, failed 0 (of which 0 now dead), cancelled 1." in output
    assert [row.status for row in statements(app)] == ["cancelled"]


def test_one_agencys_lrs_gets_nothing_of_another_agency(app, make_user, teams):
    with app.app_context():
        other = Agency(name="Other Agency")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    admin, admin_token = admin_client(app, make_user)
    save(admin, admin_token)
    outsider = make_user("peer", team=None, agency_id=other_id)
    client = app.test_client()
    Auth(client).login(outsider)
    client.get(COURSE + "lessons/welcome")
    assert statements(app) == []
    exported = app.test_cli_runner().invoke(args=["xapi", "export", "--agency", "other-agency"])
    assert exported.exit_code == 0 and exported.output == ""


def test_a_site_that_allows_private_addresses_takes_an_lrs_on_its_own_network(app, make_user):
    app.config["LRS_ALLOW_PRIVATE_ADDRESSES"] = True
    client, token = admin_client(app, make_user)
    assert save(client, token, endpoint="http://10.1.2.3:8100/xAPI").status_code == 303


def test_revoking_a_reissued_certificate_voids_the_statement_of_the_original(app, make_user, client, peer, token):
    admin, admin_token = admin_client(app, make_user)
    save(admin, admin_token)
    finish_lessons(client, token)
    pass_check(client, token)
    client.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "csrf_token": token})
    [earned] = [row for row in statements(app) if row.event_key.startswith("certificate-earned:")]
    with app.app_context():
        original = db.session.scalar(sa.select(Certificate))
    admin.post(f"/admin/certificates/{original.id}/reissue", data={"csrf_token": admin_token})
    with app.app_context():
        replacement = db.session.scalar(sa.select(Certificate).where(Certificate.id != original.id))
    admin.post(f"/admin/certificates/{replacement.id}/revoke", data={"reason": "Issued in error", "csrf_token": admin_token})
    voiding = statements(app)[-1].statement
    assert voiding["verb"]["id"].endswith("/voided") and voiding["object"]["id"] == earned.statement_id
