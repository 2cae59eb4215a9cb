"""Reflections and the self-care plan: private to their author, encrypted at rest."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Agency, Reflection, SelfCarePlan
from tests.conftest import Auth
from tests.web.helpers import COURSE, HTMX, pdf_text

LESSON = COURSE + "lessons/welcome"
SECRET = "I felt my old fear come back when Dana talked about the shelter."


def save(client, token, text, headers=None):
    return client.post(LESSON + "/reflection", data={"reflection": text, "csrf_token": token}, headers=headers or {})


def stored_reflections(app):
    with app.app_context():
        return db.session.scalars(sa.select(Reflection)).all()


def test_write_edit_and_delete_a_reflection_without_javascript(app, client, token):
    response = save(client, token, SECRET)
    assert response.status_code == 303 and response.headers["Location"].endswith("/lessons/welcome#reflection")
    page = client.get(LESSON).get_data(as_text=True)
    assert SECRET in page and "Saved just now." in page
    save(client, token, "Edited: " + SECRET)
    assert "Edited: " in client.get(LESSON).get_data(as_text=True)
    assert len(stored_reflections(app)) == 1
    save(client, token, "   ")
    assert stored_reflections(app) == []


def test_autosave_by_htmx_returns_the_status_only(client, token):
    response = save(client, token, SECRET, headers={**HTMX, "X-CSRFToken": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.strip().startswith('<p id="reflection-status"') and "Saved just now." in page
    assert "<html" not in page


def test_too_long_is_refused_and_the_text_kept(app, client, token):
    save(client, token, SECRET)
    response = save(client, token, "x" * 10_001)
    assert response.status_code == 422
    assert "up to 10,000 characters" in response.get_data(as_text=True)
    assert "x" * 10_001 in response.get_data(as_text=True)
    assert len(stored_reflections(app)) == 1


def test_a_reflection_at_the_limit_with_line_breaks_is_saved(app, client, token):
    """The text box's maxlength counts a line break once; the browser sends it as CR LF."""
    at_the_limit = "\r\n".join(["a" * 999] * 10) + "a"  # 10,000 characters as the box counts them
    assert save(client, token, at_the_limit).status_code == 303
    assert len(stored_reflections(app)) == 1


def test_too_long_by_autosave_answers_with_the_status_line_and_keeps_the_saved_text(app, client, token):
    save(client, token, SECRET)
    response = save(client, token, "y" * 10_001, headers={**HTMX, "X-CSRFToken": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in page
    assert "A reflection can be up to 10,000 characters; this one has 10,001." in page
    with app.app_context():
        [row] = db.session.scalars(sa.select(Reflection)).all()
        assert app.extensions["vault"].decrypt(row.body_encrypted) == SECRET


def test_spaces_around_a_reflection_do_not_count_and_blank_deletes_it(app, client, token):
    response = save(client, token, "  " + "z" * 10_000 + "\n\n")
    assert response.status_code == 303
    assert "Your reflection is saved." in client.get(LESSON).get_data(as_text=True)
    save(client, token, "  \n ")
    assert "Your reflection is deleted." in client.get(LESSON).get_data(as_text=True)
    assert stored_reflections(app) == []


def test_reflections_are_stored_encrypted(app, client, token):
    save(client, token, SECRET)
    [row] = stored_reflections(app)
    assert b"fear" not in row.body_encrypted and SECRET.encode() not in row.body_encrypted
    with app.app_context():
        raw = db.session.execute(sa.text("SELECT body_encrypted FROM reflection")).scalar_one()
    assert b"shelter" not in bytes(raw)


def test_my_reflections_page_and_downloads(client, token):
    save(client, token, SECRET)
    page = client.get("/learn/reflections")
    assert page.headers["Cache-Control"] == "private, no-store"
    text = page.get_data(as_text=True)
    assert "Starting out as a peer" in text and "Welcome to the team" in text and SECRET in text
    markdown = client.get("/learn/reflections.md")
    assert "attachment" in markdown.headers["Content-Disposition"]
    assert SECRET in markdown.get_data(as_text=True)
    pdf = client.get("/learn/reflections.pdf")
    assert pdf.mimetype == "application/pdf"
    assert "Dana talked about the shelter" in pdf_text(pdf.data)


def test_delete_all_needs_confirmation(app, client, token):
    save(client, token, SECRET)
    client.post("/learn/reflections/delete-all", data={"csrf_token": token})
    assert len(stored_reflections(app)) == 1
    client.post("/learn/reflections/delete-all", data={"csrf_token": token, "confirm": "yes"})
    assert stored_reflections(app) == []


VIEWERS = ["other peer", "supervisor of the peer", "admin of the agency", "admin of another agency"]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_nobody_else_can_read_or_delete_a_reflection(app, client, token, peer, make_user, viewer):
    save(client, token, SECRET)
    [row] = stored_reflections(app)
    if viewer == "admin of another agency":
        with app.app_context():
            other_agency = Agency(name="Elsewhere")
            db.session.add(other_agency)
            db.session.commit()
        user = make_user("admin", team=None, agency_id=other_agency.id)
    else:
        user = make_user({"other peer": "peer", "supervisor of the peer": "supervisor", "admin of the agency": "admin"}[viewer])
    other = app.test_client()
    other_auth = Auth(other)
    other_auth.login(user)
    other_token = other_auth.token()
    assert other.post(f"/learn/reflections/{row.id}/delete", data={"csrf_token": other_token}).status_code == 404
    for url in ("/learn/reflections", "/learn/reflections.md", LESSON):
        response = other.get(url)
        assert SECRET not in response.get_data(as_text=True), url
    assert "shelter" not in pdf_text(other.get("/learn/reflections.pdf").data)
    assert len(stored_reflections(app)) == 1


def test_self_care_plan_saves_privately_and_prints(app, client, token, make_user):
    page = client.get("/learn/self-care-plan").get_data(as_text=True)
    assert "My warning signs" in page and "One commitment I make" in page
    response = client.post(
        "/learn/self-care-plan",
        data={"warning-signs": "I stop eating lunch.", "commitment": "Walk at noon.", "review_on": "2027-03-01", "csrf_token": token},
    )
    assert response.status_code == 303
    page = client.get("/learn/self-care-plan").get_data(as_text=True)
    assert "I stop eating lunch." in page and 'value="2027-03-01"' in page
    with app.app_context():
        row = db.session.scalar(sa.select(SelfCarePlan))
    assert b"lunch" not in row.sections_encrypted
    text = pdf_text(client.get("/learn/self-care-plan.pdf").data)
    assert "I stop eating lunch." in text and "Walk at noon." in text and "March 1, 2027" in text

    other = app.test_client()
    Auth(other).login(make_user("supervisor"))
    assert "I stop eating lunch." not in other.get("/learn/self-care-plan").get_data(as_text=True)


def test_self_care_plan_bad_date_keeps_the_answers(app, client, token):
    response = client.post(
        "/learn/self-care-plan", data={"warning-signs": "Short temper.", "review_on": "next spring", "csrf_token": token}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the date as year-month-day" in page and "Short temper." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SelfCarePlan)) == 0


def test_key_rotation_keeps_reflections_readable(app, client, token, runner, make_app):
    from lms.vault import new_key

    save(client, token, SECRET)
    before = stored_reflections(app)[0].body_encrypted
    fresh = new_key()
    rotated_app = make_app(ENCRYPTION_KEYS=f"{fresh},{app.config['ENCRYPTION_KEYS']}")
    result = rotated_app.test_cli_runner().invoke(args=["private-data", "rotate"])
    assert "Re-encrypted 1 record " in result.output
    after = stored_reflections(app)[0].body_encrypted
    assert after != before
    only_new = make_app(ENCRYPTION_KEYS=fresh)
    other = only_new.test_client()
    with only_new.app_context():
        from lms.models import User

        user = db.session.scalar(sa.select(User))
    Auth(other).login(user)
    assert SECRET in other.get("/learn/reflections").get_data(as_text=True)


def plan_rows(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(SelfCarePlan))


def test_self_care_plan_part_too_long_is_refused_beside_it_and_keeps_the_answers(app, client, token):
    long_part = "w" * 2_001
    response = client.post(
        "/learn/self-care-plan",
        data={"warning-signs": long_part, "commitment": "Walk at noon.", "review_on": "2027-03-01", "csrf_token": token},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count("Each part of the plan can be up to 2,000 characters.") == 2  # in the summary and beside the part
    assert 'aria-describedby="hint-warning-signs section-warning-signs-error" aria-invalid="true"' in page
    assert long_part in page and "Walk at noon." in page and 'value="2027-03-01"' in page
    assert plan_rows(app) == 0


def test_self_care_plan_reports_every_problem_at_once(app, client, token):
    response = client.post(
        "/learn/self-care-plan",
        data={"warning-signs": "w" * 2_001, "commitment": "c" * 2_001, "review_on": "soon", "csrf_token": token},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    assert summary.count("Each part of the plan can be up to 2,000 characters.") == 1
    assert "Enter the date as year-month-day, for example 2027-03-01." in summary
    assert plan_rows(app) == 0


def test_self_care_plan_without_a_review_date_saves_the_answers(app, client, token):
    response = client.post("/learn/self-care-plan", data={"commitment": "  Walk at noon.  ", "review_on": " ", "csrf_token": token})
    assert response.status_code == 303
    page = client.get("/learn/self-care-plan").get_data(as_text=True)
    assert "Walk at noon.</textarea>" in page and 'name="review_on" value=""' in page
    assert plan_rows(app) == 1
