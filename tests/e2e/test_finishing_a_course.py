"""A peer finishes a course that has no knowledge check and no feedback form, with and without
JavaScript: marking the last lesson complete shows the certificate card right there, and its
public link opens the certificate's check page.

The course is served by a site of its own, so the other browser tests never see it.
"""

import pytest

from tests.e2e.support import BROWSER_MISSING

if BROWSER_MISSING:
    pytest.skip(BROWSER_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from tests.e2e.conftest import serve_site  # noqa: E402
from tests.e2e.support import CERTIFICATE_CODE, log_in, url_ending  # noqa: E402
from tests.web.helpers import COURSES_WITHOUT_CHECK, SHORT_COURSE  # noqa: E402

pytestmark = pytest.mark.e2e

COURSE_TITLE = "Your first week"
LESSON_TITLES = ("Who to ask", "Planning your week")
LAST_LESSON = SHORT_COURSE + "lessons/your-first-week"


@pytest.fixture(scope="module")
def short_course_site(tmp_path_factory):
    with serve_site(tmp_path_factory.mktemp("e2e-short") / "site.sqlite", COURSES_DIR=COURSES_WITHOUT_CHECK) as site:
        yield site


@pytest.fixture
def site(short_course_site):
    """The site, with any exception it raised while the test ran failing the test."""
    short_course_site.errors.clear()
    yield short_course_site
    assert not short_course_site.errors, "the app raised while serving this test:\n" + "\n".join(short_course_site.errors)


def certificate_card(page):
    return page.get_by_role("region", name="Your certificate is ready")


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_marking_the_last_lesson_complete_shows_the_certificate_card(new_context, site, axe_scan, javascript):
    peer = site.make_person("peer")
    page = new_context("desktop", base_url=site.url, java_script_enabled=javascript).new_page()
    log_in(page, peer)
    page.get_by_role("link", name=COURSE_TITLE).click()
    page.get_by_role("link", name="Start the course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LESSON_TITLES[0])
    page.get_by_role("button", name="Mark this lesson complete").click()
    expect(page.locator("#lesson-status")).to_contain_text("You finished this lesson.")
    expect(certificate_card(page)).to_have_count(0)  # one lesson is still to do
    page.get_by_role("navigation", name="Previous and next lesson").get_by_role("button", name=f"Next lesson: {LESSON_TITLES[1]}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LESSON_TITLES[1])

    if javascript:
        page.evaluate("window.__samePage = true")  # gone if the browser loads a new page
    page.get_by_role("button", name="Mark this lesson complete").click()
    card = certificate_card(page)
    expect(card).to_be_visible()
    if javascript:
        assert page.evaluate("window.__samePage === true")  # htmx swapped the card into the page
    else:
        expect(page).to_have_url(url_ending(LAST_LESSON))
    expect(page.locator("#lesson-status")).to_contain_text("You have finished every lesson in this course.")
    expect(card).to_contain_text(COURSE_TITLE)
    expect(card).to_contain_text(peer.name)
    expect(card.get_by_role("link", name="Download your certificate (PDF)")).to_be_visible()
    code = card.locator("code").inner_text().strip()
    assert CERTIFICATE_CODE.match(code)

    # The lesson page keeps the card; its public link opens the certificate's check page.
    page.goto(LAST_LESSON)
    if javascript:  # axe runs in the page: it needs JavaScript
        assert not axe_scan(page, "lesson page with the certificate card")
    certificate_card(page).get_by_role("link", name=f"{site.url}/verify/{code}").click()
    expect(page).to_have_url(f"{site.url}/verify/{code}")
    main = page.get_by_role("main")
    expect(main).to_contain_text("This certificate is valid")
    expect(main).to_contain_text(peer.name)
    expect(main).to_contain_text(COURSE_TITLE)
