"""The lesson page's cost per view, and that the page kept between views is never stale.

A repeat view loads the learner (with roles, agency and the agency's published courses, its
catalog) and the learner's progress and reflection, and writes nothing; a lesson that
shows agency policy blocks also loads the agency's text for them. The kept page must be
exactly what the template renders, and never shows one agency's policy text to another.
"""

import re
import shutil

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Agency, AgencyBlock, LessonProgress
from tests.conftest import PASSWORD
from tests.sql_statements import statements_of
from tests.web.helpers import COURSE, COURSES_WITHOUT_CHECK, HTMX, SHORT_COURSE, SHORT_LESSONS

LESSON = COURSE + "lessons/welcome"
ROLE_CARD_LESSON = COURSE + "lessons/listening"
CSRF_VALUE = re.compile(r'(name="csrf_token" value="|"X-CSRFToken": ")[^"]+')


def is_write(statement):
    return statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}


def log_in(client, user):
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def test_first_view_records_the_lesson_and_a_repeat_view_sends_two_statements_at_most(app, client, peer):
    first = statements_of(app, client, LESSON)
    assert any(is_write(s) for s in first)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LessonProgress)) == 1
    for headers in ({}, HTMX):
        repeat = statements_of(app, client, LESSON, headers)
        assert len(repeat) <= 2, repeat  # the learner with the agency's published courses, progress and reflection
        assert not any(is_write(s) for s in repeat), repeat


def courses_with_blocks(app, tmp_path):
    """The fixture courses, with the welcome lesson showing the agency's crisis steps and on-call text."""
    courses = tmp_path / "courses"
    shutil.copytree(app.config["COURSES_DIR"], courses)
    lesson_file = courses / "starting-out" / "01-welcome.md"
    lesson_file.write_text(lesson_file.read_text().replace("Read on in", "[[agency:crisis-steps]]\n\n[[agency:on-call]]\n\nRead on in", 1))
    return str(courses)


def test_a_lesson_with_agency_blocks_adds_one_statement_for_their_text(app, make_app, make_user, tmp_path):
    blocks_app = make_app(COURSES_DIR=courses_with_blocks(app, tmp_path))
    learner = make_user("peer")
    client = blocks_app.test_client()
    log_in(client, learner)
    statements_of(blocks_app, client, LESSON)
    for headers in ({}, HTMX):
        repeat = statements_of(blocks_app, client, LESSON, headers)
        assert len(repeat) <= 3, repeat  # as above, and the agency's text for the blocks
        assert not any(is_write(s) for s in repeat), repeat


def test_each_agency_sees_its_own_policy_blocks_on_the_same_lesson(app, make_app, make_user, agency, tmp_path):
    courses = courses_with_blocks(app, tmp_path)
    kept = make_app(COURSES_DIR=courses)
    rendering = make_app(COURSES_DIR=courses, TEMPLATES_AUTO_RELOAD=True)
    with app.app_context():
        other = Agency(name="Riverside Peers")
        db.session.add(other)
        db.session.flush()
        other_id = other.id
        db.session.add_all(
            [
                AgencyBlock(agency_id=agency.id, name="crisis-steps", markdown="Call **Dana** at 555-0100."),
                AgencyBlock(agency_id=other_id, name="crisis-steps", markdown="Call **Riley** at 555-0199."),
            ]
        )
        db.session.commit()
    ours, theirs = make_user("peer"), make_user("peer", team=None, agency_id=other_id)
    for learner, own, foreign in ((ours, "Dana", "Riley"), (theirs, "Riley", "Dana"), (ours, "Dana", "Riley")):
        client, fresh = kept.test_client(), rendering.test_client()
        log_in(client, learner)
        log_in(fresh, learner)
        for headers in ({}, HTMX):
            for _ in range(2):  # the second view is served from the kept page
                page = page_without_tokens(client, LESSON, headers)
                assert f"Call <strong>{own}</strong>" in page and foreign not in page
                assert "on-call arrangements.</strong> Your agency has not written them here yet." in page
                assert "[[agency:" not in page
                assert page == page_without_tokens(fresh, LESSON, headers)
    assert len(kept.extensions["rendered_pages"]) == 2  # one kept page (and one htmx block) serves both agencies


def page_without_tokens(client, url, headers=None):
    response = client.get(url, headers=headers or {})
    assert response.status_code == 200
    return CSRF_VALUE.sub(r"\1TOKEN", response.get_data(as_text=True))


@pytest.mark.parametrize("roles", [("peer",), ("peer", "supervisor"), ("peer", "admin")])
def test_the_kept_page_is_the_page_the_template_renders(app, make_app, make_user, client, roles):
    """The same pages from an app that renders every view from the template."""
    learner = make_user(*roles)
    with app.app_context():
        agency = db.session.get(Agency, learner.agency_id)
        agency.role_card_markdown = "Our peers **listen** & <script>x</script>walk with people."
        db.session.commit()
    rendering = make_app(TEMPLATES_AUTO_RELOAD=True).test_client()
    log_in(client, learner)
    log_in(rendering, learner)
    token = CSRF_VALUE.search(client.get(LESSON).get_data(as_text=True)).group(0).split('"')[-1]
    steps = [
        None,
        ("post", COURSE + "lessons/welcome/complete", {}),
        ("post", COURSE + "lessons/listening/reflection", {"reflection": 'I <b>listen</b> & "wait".'}),
        ("post", COURSE + "lessons/listening/complete", {}),
        ("post", COURSE + "lessons/supervision/complete", {}),
    ]
    for step in steps:
        if step:
            _, url, data = step
            assert client.post(url, data={**data, "csrf_token": token}).status_code == 303
            client.get(LESSON)  # shows (and so clears) the flash message a saved reflection leaves
        for url in (LESSON, ROLE_CARD_LESSON, COURSE + "lessons/supervision"):
            for headers in ({}, HTMX):
                kept = page_without_tokens(client, url, headers)
                assert kept == page_without_tokens(client, url, headers)  # served from the kept page
                assert kept == page_without_tokens(rendering, url, headers)
    page = page_without_tokens(client, ROLE_CARD_LESSON)
    assert "<strong>listen</strong>" in page and "<script>" not in page
    assert "I &lt;b&gt;listen&lt;/b&gt; &amp; &#34;wait&#34;." in page


def test_a_course_update_is_never_served_from_the_kept_page(app, make_app, make_user, tmp_path):
    """Two servers sharing one store of kept pages: the one with the new course text shows it."""
    courses = tmp_path / "courses"
    shutil.copytree(app.config["COURSES_DIR"], courses)
    learner = make_user("peer")
    before = make_app(COURSES_DIR=str(courses))
    old_client = before.test_client()
    log_in(old_client, learner)
    assert "You are not alone" not in old_client.get(LESSON).get_data(as_text=True)
    lesson_file = courses / "starting-out" / "01-welcome.md"
    lesson_file.write_text(lesson_file.read_text() + "\n\nYou are not alone in this work.\n")
    after = make_app(COURSES_DIR=str(courses))
    after.extensions["rendered_pages"] = before.extensions["rendered_pages"]
    new_client = after.test_client()
    log_in(new_client, learner)
    assert "You are not alone in this work." in new_client.get(LESSON).get_data(as_text=True)
    assert "You are not alone" not in old_client.get(LESSON).get_data(as_text=True)


def test_an_edited_role_card_shows_at_once(app, client, peer):
    assert "Our own card" not in client.get(ROLE_CARD_LESSON).get_data(as_text=True)
    with app.app_context():
        db.session.get(Agency, peer.agency_id).role_card_markdown = "Our own card, first version."
        db.session.commit()
    assert "Our own card, first version." in client.get(ROLE_CARD_LESSON).get_data(as_text=True)
    with app.app_context():
        db.session.get(Agency, peer.agency_id).role_card_markdown = "Our own card, second version."
        db.session.commit()
    page = client.get(ROLE_CARD_LESSON).get_data(as_text=True)
    assert "Our own card, second version." in page and "first version" not in page


def test_a_flash_message_is_shown_once_on_the_lesson_page(app, client, token):
    response = client.post(COURSE + "lessons/welcome/reflection", data={"reflection": "Noted.", "csrf_token": token})
    assert response.status_code == 303
    assert "Your reflection is saved." in client.get(LESSON).get_data(as_text=True)
    assert "Your reflection is saved." not in client.get(LESSON).get_data(as_text=True)


def test_lesson_view_survives_a_database_restart(app, backend, client, peer, token):
    """Every server connection the app holds is cut, as a restart does; the next views work."""
    if backend != "postgresql":
        pytest.skip("cuts server connections: PostgreSQL only")
    assert client.get(LESSON).status_code == 200
    with app.app_context():
        engine = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        cut = connection.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    engine.dispose()
    assert cut >= 1
    assert client.get(LESSON).status_code == 200
    assert client.post(COURSE + "lessons/welcome/complete", data={"csrf_token": token}).status_code == 303
    assert "You finished this lesson." in client.get(LESSON).get_data(as_text=True)


def test_the_lesson_that_completed_a_course_shows_its_card_within_the_budget(make_app, make_user):
    """The certificate's code comes with the progress; the card is read only when the page is rendered."""
    short_app = make_app(COURSES_DIR=COURSES_WITHOUT_CHECK)
    rendering = make_app(COURSES_DIR=COURSES_WITHOUT_CHECK, TEMPLATES_AUTO_RELOAD=True).test_client()
    learner = make_user("peer")
    client = short_app.test_client()
    log_in(client, learner)
    log_in(rendering, learner)
    lessons = [f"{SHORT_COURSE}lessons/{lesson}" for lesson in SHORT_LESSONS]
    token = CSRF_VALUE.search(client.get(lessons[0]).get_data(as_text=True)).group(0).split('"')[-1]
    for lesson in lessons:
        assert client.post(lesson + "/complete", data={"csrf_token": token}).status_code == 303
    for headers in ({}, HTMX):
        assert "Your certificate is ready" in page_without_tokens(client, lessons[-1], headers)  # rendered and kept
        repeat = statements_of(short_app, client, lessons[-1], headers)
        assert len(repeat) <= 2, repeat
        assert not any(is_write(s) for s in repeat), repeat
        assert page_without_tokens(client, lessons[-1], headers) == page_without_tokens(rendering, lessons[-1], headers)
