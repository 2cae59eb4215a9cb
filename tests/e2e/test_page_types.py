"""Every page type at 1280 and 375 px: a screenshot into test-artifacts/pages/, axe with no
serious or critical violation, and a page no wider than the screen at 375 and 320 px.

Also the phone layout: a one-row header whose menu folds under "Menu" (a <details>, no script
needed), the lesson list folded into "Lesson 2 of 3", and the current page marked in the menu.
"""

import re

import pytest

from tests.e2e.support import BROWSER_MISSING

if BROWSER_MISSING:
    pytest.skip(BROWSER_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from tests.e2e.support import (  # noqa: E402
    ARTIFACTS,
    CHECK_URL,
    COURSE_URL,
    EVALUATION_URL,
    LESSONS,
    PAGE_SCROLL_JS,
    PROJECT_ROOT,
    complete_course_over_http,
    csrf_token,
    lesson_url,
    main_nav,
    post_form,
    sign_in,
)

pytestmark = pytest.mark.e2e

SCREENS = ARTIFACTS / "pages"
WIDTHS = (375, 320)


def widths_problems(page, label):
    """The page itself never scrolls sideways at 375 or 320 px (a wide table may, in its region)."""
    problems = []
    size = page.viewport_size
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": size["height"]})
            found = page.evaluate(PAGE_SCROLL_JS)
            if found["page"] > found["screen"] + 1:
                problems.append(f"{label}: {found['page']}px wide at {width}px; sticking out: {found['culprits']}")
    finally:
        page.set_viewport_size(size)
    return problems


def visit(page, axe_scan, viewport, label, path=None, *, status=200):
    """Open (or stay on) a page; screenshot it; return its problems."""
    problems = []
    if path is not None:
        response = page.goto(path)
        if response.status != status:
            problems.append(f"{label}: HTTP {response.status}, expected {status}")
    SCREENS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    page.screenshot(path=SCREENS / f"{name}-{page.viewport_size['width']}.png", full_page=True)
    problems += axe_scan(page, label)
    problems += widths_problems(page, label)
    return problems


def test_public_pages(page, axe_scan, viewport):
    problems = visit(page, axe_scan, viewport, "welcome", "/")
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
    problems += visit(page, axe_scan, viewport, "login", "/auth/login")
    problems += visit(page, axe_scan, viewport, "password reset", "/auth/reset")
    problems += visit(page, axe_scan, viewport, "verify form", "/verify")
    problems += visit(page, axe_scan, viewport, "not found", "/no/such/page", status=404)
    assert not problems, "\n".join(problems)


def test_learner_pages(page, axe_scan, viewport, make_person):
    sign_in(page, make_person("peer"))
    problems = visit(page, axe_scan, viewport, "my learning new", "/learn/")
    problems += visit(page, axe_scan, viewport, "course overview", COURSE_URL)
    problems += visit(page, axe_scan, viewport, "lesson", lesson_url("listening"))
    token = csrf_token(page, lesson_url("welcome"))
    for lesson_id in LESSONS:
        post_form(page, lesson_url(lesson_id) + "/complete", {}, token)
    problems += visit(page, axe_scan, viewport, "check", CHECK_URL)
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("Please answer every question")
    problems += visit(page, axe_scan, viewport, "check with errors")
    complete_course_over_http(page, evaluate=False)
    problems += visit(page, axe_scan, viewport, "evaluation", EVALUATION_URL)
    post_form(page, EVALUATION_URL, {"objective-O1": "5", "objective-O2": "4", "relevance": "5", "would_recommend": "yes"}, token)
    problems += visit(page, axe_scan, viewport, "course complete", COURSE_URL)
    problems += visit(page, axe_scan, viewport, "my learning", "/learn/")
    problems += visit(page, axe_scan, viewport, "my certificates", "/certificates/")
    problems += visit(page, axe_scan, viewport, "my reflections", "/learn/reflections")
    problems += visit(page, axe_scan, viewport, "self-care plan", "/learn/self-care-plan")
    assert not problems, "\n".join(problems)


def test_supervisor_pages(page, axe_scan, viewport, new_context, make_person, make_supervisor, user_id):
    peer = make_person("peer")
    learner = new_context(viewport).new_page()
    sign_in(learner, peer)
    complete_course_over_http(learner, evaluate=False)
    sign_in(page, make_supervisor())
    problems = visit(page, axe_scan, viewport, "supervisor team view", "/supervise/")
    problems += visit(page, axe_scan, viewport, "supervisor person", f"/supervise/people/{user_id(peer)}")
    problems += visit(page, axe_scan, viewport, "email settings", "/learn/settings/email")
    assert not problems, "\n".join(problems)


ADMIN_PAGES = [
    ("admin home", "/admin/"),
    ("admin people", "/admin/people"),
    ("admin new person", "/admin/people/new"),
    ("admin teams", "/admin/teams"),
    ("admin required training", "/admin/assignments"),
    ("admin settings", "/admin/settings"),
    ("admin role card", "/admin/role-card"),
    ("admin audit log", "/admin/audit"),
    ("admin certificates", "/admin/certificates"),
    ("admin evaluations", "/admin/evaluations"),
    ("admin course files", "/admin/courses"),
    ("admin import", "/admin/people/import"),
]


def test_admin_pages(page, axe_scan, viewport, make_person):
    sign_in(page, make_person("admin"))
    post_form(page, "/admin/teams", {"name": f"Evening team {viewport}"}, csrf_token(page, "/admin/teams"))
    problems = []
    for label, path in ADMIN_PAGES:
        problems += visit(page, axe_scan, viewport, label, path)
    page.goto("/admin/people/import")
    page.get_by_label("CSV file").set_input_files(PROJECT_ROOT / "docs" / "examples" / "users.csv")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the import")
    problems += visit(page, axe_scan, viewport, "admin import preview")
    assert not problems, "\n".join(problems)


def test_phone_header_is_one_row_with_a_menu_that_marks_the_current_page(new_context, make_person):
    page = new_context("phone").new_page()
    sign_in(page, make_person("peer"))
    page.goto("/learn/reflections")
    header = page.get_by_role("banner").bounding_box()
    assert header["height"] <= 72, f"the header takes {header['height']}px on a phone"
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My learning", include_hidden=True)).to_be_hidden()  # folded
    nav = main_nav(page)
    expect(nav.get_by_role("link", name="My learning")).to_be_visible()
    expect(nav.get_by_role("link", name="My reflections")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="My learning")).not_to_have_attribute("aria-current", "page")


def test_menu_works_without_javascript(new_context, make_person):
    page = new_context("phone", java_script_enabled=False).new_page()
    sign_in(page, make_person("peer"))
    page.goto("/learn/")
    main_nav(page).get_by_role("link", name="My certificates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My certificates")


def test_lesson_list_folds_on_a_phone_and_shows_progress(new_context, make_person):
    page = new_context("phone").new_page()
    sign_in(page, make_person("peer"))
    page.goto(lesson_url("listening"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(LESSONS["listening"])
    assert heading.bounding_box()["y"] < 400, "the lesson title starts too far down on a phone"
    lessons = page.get_by_role("navigation", name="Lessons in this course")
    expect(lessons.get_by_role("link", name=LESSONS["supervision"], include_hidden=True)).to_be_hidden()
    expect(lessons.get_by_role("progressbar", name="Progress in this course")).to_be_visible()
    lessons.get_by_text("Lesson 2 of 3").click()
    expect(lessons.get_by_role("link", name=LESSONS["supervision"])).to_be_visible()

    desktop = new_context("desktop").new_page()
    sign_in(desktop, make_person("peer"))
    desktop.goto(lesson_url("listening"))
    lessons = desktop.get_by_role("navigation", name="Lessons in this course")
    expect(lessons.get_by_role("link", name=LESSONS["supervision"])).to_be_visible()  # never folded on wide screens
    expect(lessons.get_by_text("Lesson 2 of 3")).to_be_hidden()  # its summary is hidden there


def test_team_view_filters_fold_on_a_phone_and_stay_open_while_chosen(new_context, make_supervisor):
    page = new_context("phone").new_page()
    sign_in(page, make_supervisor())
    page.goto("/supervise/")
    expect(page.get_by_label("Show people with")).to_be_hidden()
    # "All training …" while nothing is required of the team: other tests may not have assigned any yet.
    summary_tiles = page.get_by_role("list", name=re.compile(r"^(Required|All) training of the people shown$"))
    assert summary_tiles.bounding_box()["y"] < 300, "the summary numbers should come right after the folded filters"
    page.get_by_text("Filters and sorting", exact=True).click()
    expect(page.get_by_label("Show people with")).to_be_visible()
    page.goto("/supervise/?status=complete")
    expect(page.get_by_label("Show people with")).to_be_visible()
