"""Every kind of page the site has, scanned with axe-core and checked for the basics.

Serious and critical axe violations fail; minor and moderate ones are listed at the end
of the run. Each test visits several pages and reports every problem it found at once.
"""

import pytest

from tests.e2e.support import BROWSER_MISSING

if BROWSER_MISSING:
    pytest.skip(BROWSER_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from tests.e2e.support import (  # noqa: E402
    ARTIFACTS,
    CLINICIAN_COURSE_URL,
    COURSE_URL,
    LESSONS,
    lesson_url,
    main_nav,
    pager_link,
    sign_in,
)

pytestmark = pytest.mark.e2e

STRUCTURE_JS = """() => {
  const visible = (el) => el && !el.closest('[hidden], [aria-hidden="true"]');
  const skip = document.querySelector('body a[href^="#"]');
  const target = skip && document.getElementById(skip.getAttribute('href').slice(1));
  return {
    lang: document.documentElement.getAttribute('lang'),
    h1: [...document.querySelectorAll('h1')].filter(visible).map((h) => h.textContent.trim()),
    skipLink: skip ? skip.textContent.trim() : null,
    skipLinkIsFirst: Boolean(skip) && skip === document.querySelector('body a[href], body button, body input, body textarea'),
    skipTarget: target ? target.tagName.toLowerCase() : null,
    banner: document.querySelectorAll('header.site-header, [role=banner]').length,
    main: document.querySelectorAll('main, [role=main]').length,
    nav: document.querySelectorAll('nav, [role=navigation]').length,
    footer: document.querySelectorAll('footer, [role=contentinfo]').length,
  };
}"""


def structure_problems(page, label, *, nav=True):
    """One h1, a language, a skip link to main, and the header/nav/main/footer landmarks."""
    found = page.evaluate(STRUCTURE_JS)
    problems = []
    if not found["lang"]:
        problems.append("<html> has no lang")
    if len(found["h1"]) != 1:
        problems.append(f"expected one h1, found {found['h1']}")
    if found["skipLink"] != "Skip to main content" or not found["skipLinkIsFirst"] or found["skipTarget"] != "main":
        problems.append(f"no working skip link first in the page: {found}")
    for landmark in ("banner", "main", "footer") + (("nav",) if nav else ()):
        if found[landmark] < 1 or (landmark in ("banner", "main", "footer") and found[landmark] != 1):
            problems.append(f"expected one {landmark} landmark, found {found[landmark]}")
    return [f"{label}: {problem}" for problem in problems]


def audit(page, axe_scan, label, *, nav=True):
    return structure_problems(page, label, nav=nav) + axe_scan(page, label)


def test_the_axe_scanner_works_offline_and_finds_planted_problems(new_context, axe):
    """A scan that found nothing would pass every page, so first prove that it looks."""
    context = new_context("desktop")
    context.route("**/*", lambda route: route.abort())  # no network at all: axe is bundled
    page = context.new_page()
    page.set_content('<html><body><img src="data:,"><button></button><a href="#x"></a></body></html>')
    found = {violation["id"]: violation["impact"] for violation in axe.run(page).response["violations"]}
    assert found.get("image-alt") == "critical" and found.get("button-name") == "critical", found
    assert found.get("html-has-lang") == "serious" and found.get("link-name") == "serious", found


def test_login_pages(page, axe_scan, make_person):
    problems = []
    page.goto("/auth/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    problems += audit(page, axe_scan, "login", nav=False)

    # Wrong password: the page comes back with a message.
    page.get_by_label("Email").fill(make_person("peer").email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That email and password do not match an active account.")).to_be_visible()
    problems += audit(page, axe_scan, "login, wrong password", nav=False)

    # Nothing typed: each field says what is wrong and is marked invalid.
    page.get_by_label("Email").fill("")
    page.get_by_label("Password").fill("")
    page.get_by_role("button", name="Log in").click()
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("This field is required.")
    problems += audit(page, axe_scan, "login, empty fields", nav=False)
    assert not problems, "\n".join(problems)


def test_learner_pages(page, axe_scan, make_person, viewport):
    problems = []
    sign_in(page, make_person("peer"))
    page.goto("/learn/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    problems += audit(page, axe_scan, "my learning")

    page.goto(COURSE_URL)
    problems += audit(page, axe_scan, "course page")

    page.goto(lesson_url("welcome"))
    expect(page.get_by_role("heading", level=1)).to_have_text(LESSONS["welcome"])
    problems += audit(page, axe_scan, "lesson page")
    screens = ARTIFACTS / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=screens / f"lesson-{viewport}.png", full_page=True)

    pager_link(page, "Next", "listening").click()  # htmx swap
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    expect(page.locator("#announcer")).to_have_text(LESSONS["listening"])
    problems += audit(page, axe_scan, "lesson page after an htmx swap")

    page.get_by_role("button", name="Mark this lesson complete").click()  # htmx swap of the status
    expect(page.locator("#lesson-status")).to_contain_text("You finished this lesson.")
    problems += audit(page, axe_scan, "lesson page after marking it complete")

    page.goto(CLINICIAN_COURSE_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")
    problems += audit(page, axe_scan, "403 page")

    page.goto("/no/such/page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    problems += audit(page, axe_scan, "404 page")
    assert not problems, "\n".join(problems)


def test_admin_course_health_page(page, axe_scan, make_person):
    sign_in(page, make_person("admin"))
    page.goto("/learn/")
    main_nav(page).get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Course files").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Course files")
    expect(page.get_by_role("table")).to_contain_text("Starting out as a peer")
    problems = audit(page, axe_scan, "admin course health")
    assert not problems, "\n".join(problems)


def test_lesson_pages_fit_a_320px_screen_without_sideways_scrolling(new_context, make_person):
    """WCAG 1.4.10 Reflow: 320 CSS px wide (a 1280px screen at 400% zoom) needs no horizontal scroll."""
    page = new_context("phone", viewport={"width": 320, "height": 640}).new_page()
    sign_in(page, make_person("peer"))
    too_wide = []
    for lesson_id, title in LESSONS.items():
        page.goto(lesson_url(lesson_id))
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320 + 1:
            culprits = page.evaluate(WIDER_THAN_SCREEN_JS)
            too_wide.append(f"{lesson_id}: {width}px wide; sticking out: {culprits}")
    assert not too_wide, "lesson pages scroll sideways at 320px:\n" + "\n".join(too_wide)


def test_course_page_with_long_source_addresses_fits_a_320px_screen(new_context, make_person):
    """The DOIs and web addresses under References and Further sources wrap instead of scrolling."""
    page = new_context("phone", viewport={"width": 320, "height": 640}).new_page()
    sign_in(page, make_person("peer"))
    page.goto(COURSE_URL)
    expect(page.get_by_role("link", name="https://988lifeline.org/talk-to-someone-now/")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320 + 1, f"the course page is {width}px wide; sticking out: {page.evaluate(WIDER_THAN_SCREEN_JS)}"


WIDER_THAN_SCREEN_JS = """() => [...document.querySelectorAll('body *')]
  .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5)
  .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : ''))"""
