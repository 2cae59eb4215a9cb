"""Keyboard only: Tab, Shift+Tab, Enter and Space through a lesson, with focus always visible."""

import pytest

from tests.e2e.support import BROWSER_MISSING

if BROWSER_MISSING:
    pytest.skip(BROWSER_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from tests.e2e.support import LESSONS, focused, lesson_url, sign_in  # noqa: E402

pytestmark = pytest.mark.e2e

# Chromium's name for the pager link (see support.pager_link): "Next lesson : Listening first →".
NEXT_TO_LISTENING = "Next lesson : Listening first"


def press(page, key):
    """Press a key and describe where focus landed; focus must always be visible."""
    page.keyboard.press(key)
    stop = focused(page)
    assert stop["tag"] not in (None, "body", "html"), f"{key} lost focus: it went to the page itself"
    assert stop["visible_focus"], f"{key} moved focus to an element with no visible focus indicator: {stop}"
    return stop


def tab_until(page, wanted, *, limit=25):
    """Press Tab until wanted(stop) is true; every stop on the way must show its focus."""
    stops = []
    for _ in range(limit):
        stops.append(press(page, "Tab"))
        if wanted(stops[-1]):
            return stops[-1]
    raise AssertionError(f"not reached in {limit} presses of Tab; focus went to: {[s['text'][:40] for s in stops]}")


def test_keyboard_user_skips_to_content_moves_on_and_marks_the_lesson_complete(page, viewport, make_person):
    sign_in(page, make_person("peer"))
    page.goto(lesson_url("welcome"))

    # The first Tab reaches the skip link, which shows itself on screen.
    stop = press(page, "Tab")
    assert (stop["tag"], stop["text"], stop["href"]) == ("a", "Skip to main content", "#main")
    box = page.get_by_role("link", name="Skip to main content").bounding_box()
    assert box and box["y"] >= 0 and box["x"] >= 0, f"the focused skip link is off screen: {box}"

    # Enter: focus moves into main, and the next Tab starts from there (not the header).
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    expect(page).to_have_url(lesson_url("welcome") + "#main")
    stop = press(page, "Tab")
    assert stop["text"] == "My learning" and page.evaluate("document.getElementById('main').contains(document.activeElement)")

    # On to the Next button; Enter swaps in lesson 2 and puts focus on its heading, visibly.
    tab_until(page, lambda s: s["text"].startswith(NEXT_TO_LISTENING))
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(LESSONS["listening"])
    expect(heading).to_be_focused()
    stop = focused(page)
    assert stop["id"] == "lesson-title" and stop["visible_focus"] and stop["matches_focus_visible"], stop

    # Shift+Tab from the heading goes back to the lesson list just before it (on a phone, to the
    # "Lesson 2 of 3" summary the list is folded under).
    stop = press(page, "Shift+Tab")
    if viewport == "phone":
        assert stop["tag"] == "summary" and stop["text"].startswith("Lesson 2 of 3"), stop
    else:
        assert stop["text"] == LESSONS["supervision"] and stop["href"] == lesson_url("supervision")

    # Forward again to "Mark this lesson complete"; one Tab too far and Shift+Tab comes back.
    tab_until(page, lambda s: s["text"] == "Mark this lesson complete")
    press(page, "Tab")
    stop = press(page, "Shift+Tab")
    assert stop["tag"] == "button" and stop["text"] == "Mark this lesson complete"

    # Space presses the button: the lesson is done, in place.
    page.keyboard.press("Space")
    expect(page.locator("#lesson-status")).to_contain_text("You finished this lesson.")
    # Next counted lesson 1 as read; this was lesson 2
    expect(page.get_by_role("navigation", name="Lessons in this course")).to_contain_text("2 of 3 done")
    expect(page).to_have_url(lesson_url("listening"))


def test_focus_stays_with_the_lesson_status_after_marking_complete(new_context, make_person):
    page = new_context("desktop").new_page()
    sign_in(page, make_person("peer"))
    page.goto(lesson_url("welcome"))
    page.get_by_role("button", name="Mark this lesson complete").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#lesson-status")).to_contain_text("You finished this lesson.")
    # htmx moves focus after the swap settles, a moment after the new text appears
    page.wait_for_function("document.getElementById('lesson-status').contains(document.activeElement)", timeout=5000)
    assert focused(page)["tag"] != "body", "focus was lost to the page after marking the lesson complete"


# The focus ring's colour against what is just outside it (WCAG 1.4.11: at least 3:1).
RING_CONTRAST_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => {
    v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  }).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const backgroundAt = (x, y) => {
    let node = document.elementFromPoint(x, y);
    for (; node; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const r = el.getBoundingClientRect();
  const gap = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth) + 1;
  const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
  const x = r.left - gap >= 0 ? r.left - gap : Math.min(r.right + gap, innerWidth - 1);
  const ring = parse(style.outlineColor).slice(0, 3), behind = backgroundAt(x, y);
  const [hi, lo] = [lum(ring), lum(behind)].sort((a, b) => b - a);
  return {ratio: Math.round((hi + 0.05) / (lo + 0.05) * 100) / 100, ring: style.outlineColor, behind: `rgb(${behind})`};
}"""


def test_every_focus_ring_on_the_lesson_page_stands_out_from_its_background(new_context, make_person):
    page = new_context("desktop").new_page()
    sign_in(page, make_person("peer"))
    page.goto(lesson_url("welcome"))
    weak = []
    for _ in range(40):
        page.keyboard.press("Tab")
        stop = focused(page)
        if stop["tag"] in ("body", "html"):  # past the last link: the tour of the page is done
            break
        contrast = page.evaluate(RING_CONTRAST_JS)
        if contrast["ratio"] < 3:
            weak.append(f"{stop['text'][:30]!r}: {contrast}")
    assert not weak, "focus rings below 3:1 against their background:\n" + "\n".join(weak)
