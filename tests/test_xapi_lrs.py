"""xAPI against a real Learning Record Store (Ralph, on loopback, started once per session).

A peer's journey through a course reaches the LRS as the statements it should, read back
through the LRS's own xAPI API; nothing private goes with them; statements queued while the
LRS is down arrive once it is back; statements that died while it was down arrive once an
admin sends them again; a statement sent twice is one statement there.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.domain import xapi
from lms.extensions import db
from lms.models import Certificate, LrsConnection, XapiStatement, utcnow
from lms.services.outbox import MAX_ATTEMPTS
from tests.conftest import Auth
from tests.lrs import RalphServer
from tests.web.helpers import COURSE, GOOD_EVALUATION, LESSONS, RIGHT, WRONG, open_check, submit

REFLECTION = "I sat with my neighbour's grief tonight and said nothing useful."
PLAN = "When I skip lunch three days running I call my sponsor."


@pytest.fixture(scope="session")
def lrs(tmp_path_factory):
    server = RalphServer(tmp_path_factory.mktemp("ralph"))
    server.start()
    yield server
    server.stop()


def logged_in(app, person):
    client = app.test_client()
    auth = Auth(client)
    auth.login(person)
    return client, auth


def connect_lrs(app, make_user, lrs):
    """An admin enters the LRS on the settings page, as they would (this LRS is on loopback)."""
    app.config["LRS_ALLOW_PRIVATE_ADDRESSES"] = True
    admin, auth = logged_in(app, make_user("admin"))
    response = admin.post(
        "/admin/lrs", data={"endpoint": lrs.endpoint, "key": lrs.username, "secret": lrs.password, "csrf_token": auth.token("/admin/lrs")}
    )
    assert response.status_code == 303
    return admin, auth


def account_of(app, user_id):
    with app.app_context():
        namespace = db.session.scalar(sa.select(LrsConnection.actor_namespace))
    return {"homePage": "http://localhost/", "name": xapi.actor_name(namespace, user_id)}


def send(app) -> str:
    result = app.test_cli_runner().invoke(args=["xapi", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def summary(statements):
    """(verb, what it is about) for each statement, in the order they happened."""
    ordered = sorted(statements, key=lambda s: (s["timestamp"], s["stored"]))
    return [(s["verb"]["id"].rsplit("/", 1)[-1], s["object"].get("id")) for s in ordered]


def test_a_peers_journey_arrives_in_the_lrs_and_nothing_private_goes_with_it(app, agency, make_user, lrs):
    admin, admin_auth = connect_lrs(app, make_user, lrs)
    peer = make_user("peer")
    client, auth = logged_in(app, peer)
    token = auth.token()
    for lesson in LESSONS:
        client.get(f"{COURSE}lessons/{lesson}")
    client.post(f"{COURSE}lessons/welcome/reflection", data={"reflection": REFLECTION, "csrf_token": token})
    client.post("/learn/self-care-plan", data={"warning-signs": PLAN, "commitment": PLAN, "csrf_token": token})
    for lesson in LESSONS:
        client.post(f"{COURSE}lessons/{lesson}/complete", data={"csrf_token": token})
        client.post(f"{COURSE}lessons/{lesson}/complete", data={"csrf_token": token})  # a double click
    attempt, _ = open_check(client)
    submit(client, token, attempt, WRONG)
    attempt, _ = open_check(client)
    submit(client, token, attempt, RIGHT)
    client.post(COURSE + "evaluation", data={**GOOD_EVALUATION, "csrf_token": token})
    assert "Sent 12," in send(app)

    account = account_of(app, peer.id)
    statements = lrs.statements_about(account)
    course = f"http://localhost/agencies/{agency.id}/courses/starting-out"  # the public page, no login needed
    check = "http://localhost" + COURSE + "check"
    lessons = [f"http://localhost{COURSE}lessons/{lesson}" for lesson in LESSONS]
    assert summary(statements) == (
        [("experienced", lesson) for lesson in lessons]
        + [("completed", lesson) for lesson in lessons]
        + [
            ("attempted", check),
            ("failed", check),
            ("attempted", check),
            ("passed", check),
            ("satisfied", course),
            ("earned", course + "#certificate"),
        ]
    )
    by_verb = {s["verb"]["id"]: s for s in statements}
    passed, failed = by_verb[xapi.PASSED.id], by_verb[xapi.FAILED.id]
    assert passed["result"]["success"] is True and passed["result"]["score"] == {"scaled": 1.0, "raw": 100, "min": 0, "max": 100}
    assert failed["result"]["success"] is False and failed["result"]["score"]["raw"] < 100
    assert by_verb[xapi.COMPLETED.id]["result"] == {"completion": True}
    assert by_verb[xapi.SATISFIED.id]["object"]["definition"]["type"] == xapi.COURSE_TYPE
    assert app.test_client().get(course.removeprefix("http://localhost")).status_code == 200  # anyone may look it up
    assert all(s["actor"] == {"objectType": "Agent", "account": account} for s in statements)
    assert all(uuid.UUID(s["id"]) for s in statements)
    assert len({s["context"]["registration"] for s in statements}) == 1  # one learner, one course
    assert all(s["context"]["contextActivities"]["parent"][0]["id"] == course for s in statements if s["verb"]["id"] != xapi.SATISFIED.id)

    # Revoking the certificate voids the statement that said it was earned.
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == peer.id))
    admin.post(
        f"/admin/certificates/{certificate.id}/revoke", data={"reason": "Issued in error", "csrf_token": admin_auth.token("/admin/")}
    )
    assert "Sent 1," in send(app)
    [voiding] = [s for s in lrs.statements_about(account) if s["verb"]["id"] == xapi.VOIDED.id]
    assert voiding["object"] == {"objectType": "StatementRef", "id": by_verb[xapi.EARNED.id]["id"]}
    # Undoing the revocation says it was earned again, under a new id (the voided one stays void).
    admin.post(f"/admin/certificates/{certificate.id}/undo-revoke", data={"csrf_token": admin_auth.token("/admin/")})
    assert "Sent 1," in send(app)
    earned = [s["id"] for s in lrs.statements_about(account) if s["verb"]["id"] == xapi.EARNED.id]
    assert len(earned) == 2 and by_verb[xapi.EARNED.id]["id"] in earned

    stored = lrs.statements_file.read_text()
    exported = app.test_cli_runner().invoke(args=["xapi", "export", "--agency", "test-agency"]).output
    assert course in exported and len(exported.splitlines()) == 14 and all(json.loads(line)["id"] for line in exported.splitlines())
    for private in (REFLECTION, PLAN, "neighbour", "sponsor", peer.name, peer.email, "Issued in error"):
        assert private not in stored and private not in exported


def test_statements_queued_while_the_lrs_is_down_arrive_once_it_is_back(app, make_user, lrs):
    connect_lrs(app, make_user, lrs)
    peer = make_user("peer")
    client, _ = logged_in(app, peer)
    lrs.stop()
    try:
        client.get(f"{COURSE}lessons/welcome")
        assert "Sent 0, failed 1 (of which 0 now dead)" in send(app)
        with app.app_context():
            [row] = db.session.scalars(sa.select(XapiStatement)).all()
            assert row.status == "queued" and row.attempts == 1 and "LrsUnreachable" in row.last_error
            assert row.next_attempt_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)
    finally:
        lrs.start()
    assert "Sent 0, failed 0" in send(app)  # it waits out its pause, LRS or not
    with app.app_context():  # the pause passes
        db.session.execute(sa.update(XapiStatement).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert "Sent 1, failed 0" in send(app)
    [arrived] = lrs.get(statementId=row.statement_id)["statements"]
    assert arrived["verb"]["id"] == xapi.EXPERIENCED.id and arrived["actor"]["account"] == account_of(app, peer.id)


def test_statements_that_died_while_the_lrs_was_down_arrive_once_the_admin_sends_them_again(app, make_user, lrs):
    admin, auth = connect_lrs(app, make_user, lrs)
    peer = make_user("peer")
    client, _ = logged_in(app, peer)
    client.get(f"{COURSE}lessons/welcome")
    send(app)  # the LRS takes this one, but (say) its answer never came back, so it is tried again
    with app.app_context():
        [stored_id] = db.session.scalars(sa.select(XapiStatement.statement_id)).all()
        db.session.execute(sa.update(XapiStatement).values(status="queued"))
        db.session.commit()
    client.get(f"{COURSE}lessons/listening")
    lrs.stop()
    try:
        with app.app_context():  # the tries before the last one were used up: no waiting out eight pauses
            db.session.execute(sa.update(XapiStatement).values(attempts=MAX_ATTEMPTS - 1))
            db.session.commit()
        assert "Sent 0, failed 2 (of which 2 now dead)" in send(app)
    finally:
        lrs.start()
    assert "Sent 0, failed 0" in send(app)  # dead: nothing sends them by itself
    page = admin.get("/admin/lrs").get_data(as_text=True)
    assert "Could not be sent: 2" in page and "LrsUnreachable" in page and peer.name not in page

    response = admin.post("/admin/lrs/requeue", data={"csrf_token": auth.token("/admin/lrs")}, follow_redirects=True)
    assert "2 dead statements are back in the queue, to be sent again." in response.get_data(as_text=True)
    assert "Sent 2, failed 0" in send(app)
    statements = lrs.statements_about(account_of(app, peer.id))
    assert sorted(s["object"]["id"].rsplit("/", 1)[-1] for s in statements) == ["listening", "welcome"]
    assert lrs.statements_file.read_text().count(stored_id) == 1  # the one it already had is stored once
    with app.app_context():
        for statement_id in db.session.scalars(sa.select(XapiStatement.statement_id)):
            [arrived] = lrs.get(statementId=statement_id)["statements"]
            assert arrived["actor"]["account"] == account_of(app, peer.id)
    assert "Could not be sent: 0" in admin.get("/admin/lrs").get_data(as_text=True)


def test_a_statement_sent_again_is_still_one_statement_in_the_lrs(app, make_user, lrs):
    """A sender that dies after the LRS took its statements sends them again: the same ids, so no copies."""
    connect_lrs(app, make_user, lrs)
    peer = make_user("peer")
    client, _ = logged_in(app, peer)
    client.get(f"{COURSE}lessons/welcome")
    send(app)
    with app.app_context():
        db.session.execute(sa.update(XapiStatement).values(status="queued"))
        db.session.commit()
    assert "Sent 1, failed 0" in send(app)
    [statement] = lrs.statements_about(account_of(app, peer.id))
    assert lrs.statements_file.read_text().count(statement["id"]) == 1


def test_a_wrong_secret_keeps_statements_waiting_and_tells_the_admin(app, make_user, lrs):
    admin, auth = connect_lrs(app, make_user, lrs)
    admin.post(
        "/admin/lrs",
        data={"endpoint": lrs.endpoint, "key": lrs.username, "secret": "not-the-secret", "csrf_token": auth.token("/admin/lrs")},
    )
    client, _ = logged_in(app, make_user("peer"))
    client.get(f"{COURSE}lessons/welcome")
    assert "failed 1" in send(app)
    page = admin.get("/admin/lrs").get_data(as_text=True)
    assert "Waiting: 1" in page and "HTTP 401 Unauthorized" in page
