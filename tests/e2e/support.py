"""Shared constants and steps for the real-browser tests.

Nothing here imports Playwright at module level, so a machine without it (or without
Chromium) can still collect the suite and skip these tests with a clear reason.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from dataclasses import dataclass

from lms.config import PROJECT_ROOT

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing() -> str | None:
    wanted = [name for name in ("playwright", "axe_playwright_python") if importlib.util.find_spec(name) is None]
    if wanted:
        return f"E2E TESTS SKIPPED: Python package(s) {', '.join(wanted)} not installed (pip install -e '.[test]')"
    if not CHROMIUM:
        return "E2E TESTS SKIPPED: no `chromium` on PATH (Debian: apt-get install chromium; CI installs it in .ci/run)"
    return None


BROWSER_MISSING = _missing()

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
PASSWORD = "correct-horse-battery-e2e"

# Phone: an iPhone-sized screen with touch and the mobile viewport meta tag honoured.
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True},
}

COURSE_TITLE = "Starting out as a peer"
COURSE_URL = "/learn/courses/starting-out/"
LESSONS = {  # id: title, in course order
    "welcome": "Welcome to the team",
    "listening": "Listening first",
    "supervision": "Using supervision",
}
CLINICIAN_COURSE_URL = "/learn/courses/team-orientation/"


def lesson_url(lesson_id: str) -> str:
    return f"{COURSE_URL}lessons/{lesson_id}"


def url_ending(path: str) -> re.Pattern:
    """A pattern for expect(page).to_have_url: the path, with nothing but a #fragment after it."""
    return re.compile(re.escape(path) + r"(#.*)?$")


def pager_link(page, direction: str, lesson_id: str):
    """The pager's "Next lesson: …" button / "Previous lesson: …" link.

    Chromium names it "Next lesson : Listening first" (the visually hidden span is
    absolutely positioned, so it counts as a separate block), hence the loose spacing.
    """
    name = re.compile(rf"^{direction} lesson\s*:\s*{re.escape(LESSONS[lesson_id])}$")
    role = "button" if direction == "Next" else "link"  # Next posts: it counts the lesson as read
    return page.get_by_role("navigation", name="Previous and next lesson").get_by_role(role, name=name)


def main_nav(page):
    """The main navigation, its phone menu ("Menu", a <details>) opened when it is folded."""
    nav = page.get_by_role("navigation", name="Main")
    summary = nav.locator("summary")
    if summary.is_visible() and nav.locator("details[open]").count() == 0:
        summary.click()
    return nav


def open_filters(page):
    """The team view's filters, unfolded when a phone shows them folded ("Filters and sorting")."""
    summary = page.get_by_text("Filters and sorting", exact=True)
    if summary.is_visible() and page.locator("details.filters-fold[open]").count() == 0:
        summary.click()


def page_title(*parts: str) -> str:
    return " · ".join([*parts, "Common Ground"])


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    password: str = PASSWORD


def log_in(page, person: Person) -> None:
    """Log in through the form, as a person would, and wait for My learning."""
    from playwright.sync_api import expect

    page.goto("/auth/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(url_ending("/learn/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def sign_in(page, person: Person) -> None:
    """Log in over HTTP with the page's own cookie jar: quicker than the form.

    For tests about something else; the form itself is used by log_in and the journeys.
    """
    request = page.context.request
    match = CSRF_FIELD.search(request.get("/auth/login").text())
    assert match, "the login page has no CSRF token"
    response = request.post(
        "/auth/login",
        form={"email": person.email, "password": person.password, "csrf_token": match.group(1) or match.group(2)},
        max_redirects=0,
    )
    assert response.status == 303, f"log-in refused ({response.status})"


# The focused element, described for assertions and failure messages. "Visible focus" means
# an outline (not none, not zero wide, not transparent) or a box-shadow, as WCAG 2.4.7 asks.
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return {tag: el ? el.tagName.toLowerCase() : null, id: "", text: "", visible_focus: false, matches_focus_visible: false};
  }
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && !/rgba\\(\\s*\\d+,\\s*\\d+,\\s*\\d+,\\s*0\\s*\\)|transparent/.test(style.outlineColor);
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    text: (el.innerText || el.value || "").replace(/\\s+/g, " ").trim(),
    href: el.getAttribute("href"),
    visible_focus: Boolean(outline || shadow),
    matches_focus_visible: el.matches(":focus-visible"),
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
  };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUS_JS)


# --- Helpers for the longer journeys (test_more_journeys, test_more_accessibility) ---

RIGHT_ANSWERS = {  # question prompt: the correct choice's text (check.yaml)
    "What do peers often bring to a team?": "Trust with people who are unsure about services.",
    "A visit leaves you uneasy. What do you do?": "Bring it to supervision.",
}
WRONG_ANSWERS = {
    "What do peers often bring to a team?": "Clinical diagnoses.",
    "A visit leaves you uneasy. What do you do?": "Keep it to yourself.",
}
CHECK_URL = COURSE_URL + "check"
EVALUATION_URL = COURSE_URL + "evaluation"
CERTIFICATE_CODE = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$")


def csrf_token(page, path: str = "/learn/") -> str:
    """A CSRF token from one of the site's pages, fetched with the page's own cookies."""
    match = CSRF_FIELD.search(page.context.request.get(path).text())
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def post_form(page, path: str, form: dict, token: str) -> None:
    response = page.context.request.post(path, form={**form, "csrf_token": token}, max_redirects=0)
    assert response.status < 400, f"POST {path} refused ({response.status})"


def complete_course_over_http(page, *, evaluate: bool = True) -> None:
    """Finish every lesson, pass the check and (optionally) give feedback, without the browser UI.

    For tests about the pages that come after; the journeys click through all of it.
    Choice ids follow check.yaml's order: q1's right answer is "a", q2's is "b".
    """
    token = csrf_token(page, lesson_url("welcome"))
    for lesson_id in LESSONS:
        post_form(page, lesson_url(lesson_id) + "/complete", {}, token)
    html = page.context.request.get(CHECK_URL).text()
    attempt = re.search(r"/check/attempts/(\d+)", html)
    assert attempt, "the check page has no attempt form"
    post_form(page, f"{CHECK_URL}/attempts/{attempt.group(1)}", {"q-q1": "a", "q-q2": "b"}, token)
    if evaluate:
        post_form(
            page,
            EVALUATION_URL,
            {"objective-O1": "5", "objective-O2": "5", "relevance": "5", "would_recommend": "yes"},
            token,
        )


# Sideways scrolling at 320 CSS px (WCAG 1.4.10): the page itself must not scroll; a
# scrolling region (a wide table in .table-scroll) may, inside its own box.
PAGE_SCROLL_JS = """() => ({
  page: document.documentElement.scrollWidth,
  screen: document.documentElement.clientWidth,
  culprits: [...document.querySelectorAll('body *')]
    .filter((el) => !el.closest('.table-scroll') && el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : '')),
})"""

BASICS_JS = """() => ({
  title: document.title.trim(),
  h1: [...document.querySelectorAll('h1')].filter((h) => !h.closest('[hidden], [aria-hidden="true"]')).map((h) => h.textContent.trim()),
})"""
