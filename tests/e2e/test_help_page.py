"""The Help page, reached from every page's footer, logged in or not; axe finds nothing
serious on it, at desktop and phone size, and it does not scroll sideways."""

import pytest

from tests.e2e.support import BROWSER_MISSING

if BROWSER_MISSING:
    pytest.skip(BROWSER_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from tests.e2e.support import PAGE_SCROLL_JS, sign_in  # noqa: E402

pytestmark = pytest.mark.e2e


def test_help_from_the_footer_for_a_newcomer_and_a_learner(page, axe_scan, make_person):
    page.goto("/auth/login")
    page.get_by_role("contentinfo").get_by_role("link", name="Help and common questions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Help and common questions")
    expect(page.get_by_role("main")).to_contain_text("Ask your supervisor, or the person at your agency who invited you")
    assert axe_scan(page, "help, logged out") == []
    width = page.evaluate(PAGE_SCROLL_JS)
    assert width["page"] <= width["screen"] + 1, width

    sign_in(page, make_person("peer"))
    page.goto("/learn/")
    page.get_by_role("contentinfo").get_by_role("link", name="Help and common questions").click()
    expect(page.get_by_role("main")).to_contain_text("Ask your supervisor, or the person at Riverside Community Services")
    expect(page.get_by_role("main").get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    assert axe_scan(page, "help, logged in") == []
