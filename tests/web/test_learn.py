"""Learner pages: My learning, course, lesson; htmx fragments and full pages; progress."""

import re
import threading

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import LessonProgress
from lms.web.filters import linked_addresses
from tests.conftest import Auth

COURSE = "/learn/courses/starting-out/"
LESSON = COURSE + "lessons/{}"
HTMX = {"HX-Request": "true"}


def progress_rows(app, user_id):
    with app.app_context():
        return db.session.execute(
            sa.select(LessonProgress.lesson_id, LessonProgress.completed_at).where(LessonProgress.user_id == user_id)
        ).all()


@pytest.mark.parametrize("path", ["/learn/", COURSE, LESSON.format("welcome")])
def test_anonymous_is_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_my_learning_lists_only_courses_for_my_roles(client, peer):
    page = client.get("/learn/").get_data(as_text=True)
    assert "Starting out as a peer" in page
    assert "Team orientation for clinicians" not in page
    assert "0 of 3 lessons done" in page


def test_my_learning_answers_htmx_with_its_content_alone(client, peer):
    response = client.get("/learn/", headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Starting out as a peer" in page and "0 of 3 lessons done" in page
    assert "<!doctype html>" not in page.lower()


def test_clinician_sees_clinician_course(client, make_user, auth):
    auth.login(make_user("clinician"))
    page = client.get("/learn/").get_data(as_text=True)
    assert "Team orientation for clinicians" in page and "Starting out as a peer" not in page


def test_course_for_another_role_is_forbidden(client, peer):
    assert client.get("/learn/courses/team-orientation/").status_code == 403
    assert client.get("/learn/courses/team-orientation/lessons/the-peer-role").status_code == 403


def test_admin_may_preview_every_course(client, make_user, auth):
    auth.login(make_user("admin"))
    assert client.get("/learn/courses/team-orientation/").status_code == 200


def test_unknown_course_and_lesson_are_404_in_the_site_layout(client, peer):
    response = client.get("/learn/courses/no-such-course/")
    assert response.status_code == 404
    assert b"Page not found" in response.data and b"Skip to main content" in response.data
    assert client.get(LESSON.format("no-such-lesson")).status_code == 404


def test_course_page_shows_objectives_lessons_hours_and_start(client, peer):
    page = client.get(COURSE).get_data(as_text=True)
    assert "<h1>Starting out as a peer</h1>" in page
    assert "Name one thing peers bring to a team." in page
    assert "0.5 estimated contact hours" in page
    assert "CE categories: ethics 0.5 hours" in page
    assert "Start the course" in page and 'href="/learn/courses/starting-out/lessons/welcome"' in page
    assert "Scannell, C. (2021)" in page


def test_course_page_shows_who_wrote_and_reviewed_it_and_links_its_sources(client, peer):
    page = client.get(COURSE).get_data(as_text=True)
    facts = re.search(r'<dl class="course-facts">(.*?)</dl>', page, re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", facts).split())
    assert text == (
        "Written by Common Ground course team: Course writers working from the cited sources"
        " Reviewed by Common Ground content review: Internal review against the source studies"
        " Last reviewed November 28, 2026 Conflict of interest None known. Format self-paced online"
    )
    references = page.split('id="references-heading"')[1].split('id="further-sources-heading"')
    doi = "https://doi.org/10.1177/11782218211050360"
    assert f'<a href="{doi}">{doi}</a>' in references[0]
    lifeline = "https://988lifeline.org/talk-to-someone-now/"
    assert "Further sources" in references[1] and f'<a href="{lifeline}">{lifeline}</a>' in references[1]


def test_web_addresses_in_sources_become_links_and_the_rest_is_escaped():
    html = linked_addresses("A <b> (2020). https://doi.org/10.1016/S0(20)3. See https://a.org/b/.")
    assert html == (
        'A &lt;b&gt; (2020). <a href="https://doi.org/10.1016/S0(20)3">https://doi.org/10.1016/S0(20)3</a>.'
        ' See <a href="https://a.org/b/">https://a.org/b/</a>.'
    )


def test_a_course_without_the_facts_or_further_sources_shows_neither(app, make_user):
    client = app.test_client()
    Auth(client).login(make_user("clinician"))
    page = client.get("/learn/courses/team-orientation/").get_data(as_text=True)
    assert "Shepardson, R. L." in page
    assert "Written by" not in page and "Further sources" not in page


def test_lesson_full_page(client, peer):
    response = client.get(LESSON.format("listening"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert page.startswith("<!doctype html>")
    assert '<h1 id="lesson-title" tabindex="-1">Listening first</h1>' in page
    assert "Lesson 2 of 3" in page
    assert re.search(
        r'rel="prev" aria-label="Previous lesson: Welcome to the team" href="/learn/courses/starting-out/lessons/welcome"', page
    )
    # Next is a button that also counts this lesson as read (tests/web/test_page_fixes.py)
    assert re.search(r'<button type="submit" class="pager-link next[^"]*" aria-label="Next lesson: Using supervision"', page)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert 'aria-current="page">Listening first' in page
    assert "When did someone really listen to you?" in page


def test_lesson_shows_the_role_card_where_the_placeholder_is(client, peer):
    page = client.get(LESSON.format("listening")).get_data(as_text=True)
    assert "[[role-card]]" not in page
    assert "What our peer specialists don" in page
    assert page.index("Here is the list your agency uses") < page.index("What our peer specialists do")


def test_htmx_next_gets_only_the_lesson_fragment(client, peer):
    response = client.get(LESSON.format("supervision"), headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in page and "site-header" not in page
    assert page.lstrip().startswith("<title>Using supervision · Starting out as a peer · Common Ground</title>")
    assert '<article id="lesson"' in page
    # the lesson list is refreshed out of band, so the current lesson and ticks stay right
    assert 'id="lesson-nav"' in page and 'hx-swap-oob="true"' in page
    assert 'aria-current="page">Using supervision' in page


def test_history_restore_gets_the_full_page(client, peer):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    page = client.get(LESSON.format("welcome"), headers=headers).get_data(as_text=True)
    assert page.startswith("<!doctype html>") and "site-header" in page


def test_opening_a_lesson_records_a_view_and_starts_the_course(app, client, peer):
    client.get(LESSON.format("welcome"))
    client.get(LESSON.format("welcome"))
    assert progress_rows(app, peer.id) == [("welcome", None)]
    assert "In progress: 0 of 3 lessons done" in client.get(COURSE).get_data(as_text=True)


def test_mark_complete_without_javascript_redirects_back(app, client, auth, peer):
    response = client.post(LESSON.format("welcome") + "/complete", data={"csrf_token": auth.token()})
    assert response.status_code == 303
    assert response.headers["Location"] == "/learn/courses/starting-out/lessons/welcome#lesson-status"
    page = client.get(LESSON.format("welcome")).get_data(as_text=True)
    assert "You finished this lesson." in page
    assert "Mark this lesson complete" not in page


def test_mark_complete_with_htmx_returns_the_status_and_lesson_list(client, auth, peer):
    token = auth.token()
    response = client.post(LESSON.format("welcome") + "/complete", headers={**HTMX, "X-CSRFToken": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="lesson-status"')
    assert "You finished this lesson." in page
    assert "1 of 3 done" in page and "<html" not in page


def test_completing_twice_keeps_one_row_and_the_first_time(app, client, auth, peer):
    token = auth.token()
    url = LESSON.format("welcome") + "/complete"
    client.post(url, data={"csrf_token": token})
    first = progress_rows(app, peer.id)
    client.post(url, data={"csrf_token": token})
    client.post(url, headers={**HTMX, "X-CSRFToken": token})
    assert progress_rows(app, peer.id) == first
    assert len(first) == 1 and first[0].completed_at is not None


def test_concurrent_completion_posts_make_one_row(app, make_user):
    """A double click lands as two requests at once; the unique constraint keeps one row."""
    from lms.services.progress import complete_lesson

    user = make_user("peer")
    course = app.extensions["catalog"].get("starting-out")
    errors = []

    def post():
        try:
            with app.app_context():
                complete_lesson(user.id, course, "welcome")
                db.session.commit()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(progress_rows(app, user.id)) == 1


def test_mark_complete_without_csrf_token_writes_nothing(app, client, peer):
    url = LESSON.format("welcome") + "/complete"
    assert client.post(url).status_code == 400
    assert client.post(url, headers={**HTMX, "X-CSRFToken": "wrong"}).status_code == 400
    assert progress_rows(app, peer.id) == []


def test_resume_goes_to_first_unfinished_lesson(client, auth, peer):
    token = auth.token()
    client.post(LESSON.format("welcome") + "/complete", data={"csrf_token": token})
    page = client.get(COURSE).get_data(as_text=True)
    assert "In progress: 1 of 3 lessons done" in page
    assert 'href="/learn/courses/starting-out/lessons/listening">Resume: Listening first' in page
    assert "1 of 3 lessons done" in client.get("/learn/").get_data(as_text=True)


def test_finishing_every_lesson(client, auth, peer):
    token = auth.token()
    for lesson in ("welcome", "listening", "supervision"):
        client.post(LESSON.format(lesson) + "/complete", data={"csrf_token": token})
    page = client.get(COURSE).get_data(as_text=True)
    assert "You have finished every lesson." in page
    assert "You have finished every lesson in this course." in client.get(LESSON.format("supervision")).get_data(as_text=True)


def test_progress_is_per_learner(app, client, auth, peer, make_user):
    client.post(LESSON.format("welcome") + "/complete", data={"csrf_token": auth.token()})
    other = make_user("peer")
    assert progress_rows(app, other.id) == []
