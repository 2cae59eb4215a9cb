"""Policy blocks: each agency writes its crisis steps, reporting policy and on-call text once; lessons show it."""

import pytest

from lms.domain.course_files import load_files
from lms.domain.markdown import render
from tests.web.test_agency_courses import DANGEROUS, EVIL, SLUG, course_id, fixture_files, logged_in, publish, upload, zip_of

LESSON = "01-what-supervision-is-for.md"
LESSON_URL = f"/learn/courses/{SLUG}/lessons/what-supervision-is-for"


def files_with_blocks():
    files = fixture_files()
    files[LESSON] = files[LESSON].replace(
        "## What supervision is not", "[[agency:crisis-steps]]\n\n[[agency:on-call]]\n\n## What supervision is not", 1
    )
    return files


@pytest.fixture
def published(app, make_user):
    """An agency course whose first lesson shows two blocks; its admin's client and token."""
    admin, token = logged_in(app, make_user("admin"))
    upload(admin, token, zip_of({f"{SLUG}/{n}": t for n, t in files_with_blocks().items()}))
    assert publish(admin, token, app).status_code == 303
    return admin, token


def test_an_unfilled_block_tells_the_learner_to_ask_their_supervisor(app, published, make_user):
    admin, _ = published
    editor = admin.get(f"/admin/agency-courses/{course_id(app)}").get_data(as_text=True)
    assert "Your agency has not written them here yet" in editor  # the editor's preview shows what learners will see
    peer, _ = logged_in(app, make_user("peer"))
    page = peer.get(LESSON_URL).get_data(as_text=True)
    assert "crisis steps.</strong> Your agency has not written them here yet. Ask your supervisor" in page
    assert "on-call arrangements.</strong>" in page
    assert "[[agency:" not in page


def test_admins_see_unfilled_blocks_their_peoples_courses_use_then_fill_them(app, published, make_user):
    admin, token = published
    make_user("peer")  # someone the course is for
    listing = admin.get("/admin/blocks").get_data(as_text=True)
    unfilled = listing.split("Not written yet, but in courses your people take", 1)[1].split("All blocks", 1)[0]
    assert "Crisis steps</a>: shown in Our supervision routine" in unfilled
    assert "On-call arrangements</a>: shown in Our supervision routine" in unfilled
    assert "Reporting policy" not in unfilled  # no lesson they take shows it

    saved = admin.post("/admin/blocks/crisis-steps", data={"csrf_token": token, "text": "## Call first\n\n1. Call **Dana** at 555-0100.\n"})
    assert saved.status_code == 303
    listing = admin.get("/admin/blocks").get_data(as_text=True)
    assert "Crisis steps</a>: shown in" not in listing and "On-call arrangements</a>: shown in" in listing
    peer, _ = logged_in(app, make_user("peer"))
    page = peer.get(LESSON_URL).get_data(as_text=True)
    assert "<h2>Call first</h2>" in page and "Call <strong>Dana</strong> at 555-0100." in page


def test_block_text_is_sanitized_in_the_preview_and_the_lesson(app, published, make_user):
    admin, token = published
    preview = admin.post(
        "/admin/blocks/crisis-steps", data={"csrf_token": token, "text": EVIL, "action": "preview"}, headers={"HX-Request": "true"}
    )
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "<strong>bold</strong>" in body and "<html" not in body
    for text in DANGEROUS:
        assert text not in body, text
    admin.post("/admin/blocks/crisis-steps", data={"csrf_token": token, "text": EVIL})
    peer, _ = logged_in(app, make_user("peer"))
    page = peer.get(LESSON_URL).get_data(as_text=True)
    block = page[page.index("<h2>Try this</h2>") : page.index("raw link") + 20]  # the rest of the page is the site's own
    assert "<strong>bold</strong>" in block
    for text in DANGEROUS:
        assert text not in block, text


def test_an_unknown_block_is_a_checker_error_at_its_line():
    assert render("Text.\n\n[[agency:crisis-steps]]\n").issues == []
    assert render("Text.\n\n[[agency:our-secret-plan]]\n").issues == [
        (3, "unknown agency block 'our-secret-plan' (use: crisis-steps, reporting-policy, on-call)")
    ]
    files = fixture_files()
    files[LESSON] = files[LESSON].replace("## What supervision is not", "[[agency:made-up]]\n\n## What supervision is not", 1)
    line = files[LESSON].split("\n").index("[[agency:made-up]]") + 1
    course, problems = load_files(SLUG, files)
    assert course is None
    assert [(p.path, p.line) for p in problems if "unknown agency block" in p.message] == [(f"{SLUG}/{LESSON}", line)]


def test_block_lines_are_not_counted_as_the_course_prose():
    plain, _ = load_files(SLUG, fixture_files())
    with_blocks, _ = load_files(SLUG, files_with_blocks())
    assert plain.lessons[0].prose == with_blocks.lessons[0].prose
    assert with_blocks.lessons[0].agency_blocks == ("crisis-steps", "on-call")


def test_an_unknown_block_page_is_not_found(app, published):
    admin, token = published
    assert admin.get("/admin/blocks/made-up").status_code == 404
    assert admin.post("/admin/blocks/made-up", data={"csrf_token": token, "text": "x"}).status_code == 404
