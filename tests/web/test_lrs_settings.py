"""The LRS settings page, and that statements are made only for an agency with an LRS."""

from datetime import timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Agency, AuditEvent, Certificate, LrsConnection, XapiStatement, utcnow
from lms.services.outbox import MAX_ATTEMPTS
from tests.conftest import Auth
from tests.web.helpers import COURSE, GOOD_EVALUATION, LESSONS, finish_lessons, pass_check

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


def other_agency(app):
    with app.app_context():
        other = Agency(name="Other Agency")
        db.session.add(other)
        db.session.commit()
        return other.id


def open_lessons(app, learner, lessons=LESSONS):
    client = app.test_client()
    Auth(client).login(learner)
    for lesson in lessons:
        client.get(COURSE + "lessons/" + lesson)


def give_up_on(app, agency_id, errors):
    """The agency's statements, oldest first, failed MAX_ATTEMPTS times with these errors (None: left waiting)."""
    with app.app_context():
        rows = db.session.scalars(sa.select(XapiStatement).where(XapiStatement.agency_id == agency_id).order_by(XapiStatement.id)).all()
        assert len(rows) == len(errors)
        for row, error in zip(rows, errors, strict=True):
            if error is None:
                row.attempts, row.last_error = 2, "LrsUnreachable: timed out"
            else:
                row.status, row.attempts, row.last_error = "dead", MAX_ATTEMPTS, error
        db.session.commit()


def rows_of(app, agency_id):
    with app.app_context():
        return [
            (row.status, row.attempts)
            for row in db.session.scalars(sa.select(XapiStatement).where(XapiStatement.agency_id == agency_id).order_by(XapiStatement.id))
        ]


def test_an_admin_sees_the_counts_and_sends_the_dead_statements_again(app, agency, make_user):
    other_id = other_agency(app)
    admin, admin_token = admin_client(app, make_user)
    save(admin, admin_token)
    other_admin, other_token = admin_client(app, make_user, team=None, agency_id=other_id)
    save(other_admin, other_token)
    peer = make_user("peer")
    open_lessons(app, peer)
    open_lessons(app, make_user("peer", team=None, agency_id=other_id), LESSONS[:1])
    give_up_on(app, agency.id, ["LrsUnreachable: HTTP 502 Bad Gateway", "LrsUnreachable: HTTP 503 Service Unavailable", None])
    give_up_on(app, other_id, ["LrsUnreachable: Connection refused"])

    page = admin.get("/admin/lrs").get_data(as_text=True)
    assert "Waiting: 1" in page and "Sent: 0" in page and "Could not be sent: 2" in page
    assert "The LRS said: LrsUnreachable: HTTP 503 Service Unavailable" in page  # the newest dead one's error
    assert "Send the dead statements again" in page
    assert peer.name not in page and peer.email not in page and "Connection refused" not in page

    response = admin.post("/admin/lrs/requeue", data={"csrf_token": admin_token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/lrs")
    page = admin.get("/admin/lrs").get_data(as_text=True)
    assert "2 dead statements are back in the queue, to be sent again." in page
    assert "Waiting: 3" in page and "Could not be sent: 0" in page and "Send the dead statements again" not in page
    assert rows_of(app, agency.id) == [("queued", 0), ("queued", 0), ("queued", 2)]
    assert rows_of(app, other_id) == [("dead", MAX_ATTEMPTS)]  # another agency's are not touched
    with app.app_context():
        due = db.session.scalars(sa.select(XapiStatement.next_attempt_at).where(XapiStatement.agency_id == agency.id)).all()
        assert all(moment.replace(tzinfo=None) <= utcnow().replace(tzinfo=None) for moment in due)
    audit_page = admin.get("/admin/audit").get_data(as_text=True)
    assert "Put the dead xAPI statements of Test Agency back in the queue for its Learning Record Store." in audit_page

    # Nothing dead is left: nothing is queued, nothing more is logged.
    admin.post("/admin/lrs/requeue", data={"csrf_token": admin_token})
    assert "There were no dead statements, so none were queued." in admin.get("/admin/lrs").get_data(as_text=True)
    with app.app_context():
        [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "lrs.requeue")).all()
        assert event.agency_id == agency.id and event.details == {"statements": 2}


def test_with_htmx_the_records_section_comes_back_with_how_many_were_queued(app, agency, make_user):
    admin, admin_token = admin_client(app, make_user)
    save(admin, admin_token)
    open_lessons(app, make_user("peer"), LESSONS[:1])
    give_up_on(app, agency.id, ["LrsUnreachable: HTTP 503 Service Unavailable"])
    response = admin.post("/admin/lrs/requeue", data={"csrf_token": admin_token}, headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "1 dead statement is back in the queue, to be sent again." in fragment and "Waiting: 1" in fragment
    assert 'id="records"' in fragment and "<html" not in fragment and "Secret (password)" not in fragment
    assert rows_of(app, agency.id) == [("queued", 0)]


def test_only_the_agencys_admin_may_send_dead_statements_again_and_only_with_a_csrf_token(app, agency, make_user):
    admin, admin_token = admin_client(app, make_user)
    save(admin, admin_token)
    open_lessons(app, make_user("peer"), LESSONS[:1])
    give_up_on(app, agency.id, ["LrsUnreachable: HTTP 503 Service Unavailable"])
    supervisor = app.test_client()
    supervisor_auth = Auth(supervisor)
    supervisor_auth.login(make_user("supervisor"))
    assert supervisor.post("/admin/lrs/requeue", data={"csrf_token": supervisor_auth.token()}).status_code == 403
    assert admin.post("/admin/lrs/requeue", data={}).status_code == 400
    other_admin, other_token = admin_client(app, make_user, team=None, agency_id=other_agency(app))
    other_admin.post("/admin/lrs/requeue", data={"csrf_token": other_token})
    assert rows_of(app, agency.id) == [("dead", MAX_ATTEMPTS)]


def test_flask_xapi_requeue_sends_one_agencys_dead_statements_again(app, agency, make_user):
    other_id = other_agency(app)
    admin, admin_token = admin_client(app, make_user)
    save(admin, admin_token)
    other_admin, other_token = admin_client(app, make_user, team=None, agency_id=other_id)
    save(other_admin, other_token)
    open_lessons(app, make_user("peer"), LESSONS[:2])
    open_lessons(app, make_user("peer", team=None, agency_id=other_id), LESSONS[:1])
    give_up_on(app, agency.id, ["LrsUnreachable: HTTP 503 Service Unavailable"] * 2)
    give_up_on(app, other_id, ["LrsUnreachable: Connection refused"])
    with app.app_context():  # a dead statement's pause had long passed; it is due now all the same
        db.session.execute(sa.update(XapiStatement).values(next_attempt_at=utcnow() + timedelta(days=1)))
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["xapi", "requeue", "--agency", "test-agency"])
    assert result.exit_code == 0 and "Queued 2 dead statements of Test Agency to be sent again." in result.output
    assert rows_of(app, agency.id) == [("queued", 0), ("queued", 0)]
    assert rows_of(app, other_id) == [("dead", MAX_ATTEMPTS)]
    with app.app_context():
        [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "lrs.requeue")).all()
        assert event.actor_id is None and event.details == {"statements": 2}
        due = db.session.scalars(sa.select(XapiStatement.next_attempt_at).where(XapiStatement.agency_id == agency.id)).all()
        assert all(moment.replace(tzinfo=None) <= utcnow().replace(tzinfo=None) for moment in due)

    unknown = app.test_cli_runner().invoke(args=["xapi", "requeue", "--agency", "no-such-agency"])
    assert unknown.exit_code != 0 and "no-such-agency" in unknown.output
