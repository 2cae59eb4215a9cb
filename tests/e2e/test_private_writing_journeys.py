"""Private writing in a real browser, with and without JavaScript: a reflection that is too
long is refused where the learner is typing and nothing saved is lost; the self-care plan
is saved and shown again."""

import pytest

from tests.e2e.support import BROWSER_MISSING

if BROWSER_MISSING:
    pytest.skip(BROWSER_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from tests.e2e.support import lesson_url, sign_in  # noqa: E402

pytestmark = pytest.mark.e2e

PROMPT = "What do you hope to bring to your team?"
JAVASCRIPT = [pytest.param(True, id="javascript"), pytest.param(False, id="no-javascript")]


def save_reflection(page, text: str, *, javascript: bool) -> None:
    page.get_by_label(PROMPT).fill(text)
    if not javascript:  # with JavaScript, the autosave sends it
        page.get_by_role("button", name="Save my reflection").click()


@pytest.mark.parametrize("javascript", JAVASCRIPT)
def test_a_reflection_too_long_is_refused_and_the_saved_one_kept(new_context, make_person, javascript):
    page = new_context("desktop", java_script_enabled=javascript).new_page()
    sign_in(page, make_person("peer"))
    page.goto(lesson_url("welcome"))
    status = page.locator("#reflection-status")
    save_reflection(page, "Patience.", javascript=javascript)
    expect(status).to_have_text("Saved just now.", timeout=8_000)

    # The box stops typing at 10,000 characters; a browser that ignores the limit sends more.
    page.get_by_label(PROMPT).evaluate("box => box.removeAttribute('maxlength')")
    save_reflection(page, "x" * 10_001, javascript=javascript)
    expect(status).to_have_text("A reflection can be up to 10,000 characters; this one has 10,001.", timeout=8_000)
    expect(page.get_by_label(PROMPT)).to_have_value("x" * 10_001)  # what was typed is still there

    page.goto(lesson_url("welcome"))
    expect(page.get_by_label(PROMPT)).to_have_value("Patience.")


@pytest.mark.parametrize("javascript", JAVASCRIPT)
def test_the_self_care_plan_is_saved_and_shown_again(new_context, make_person, javascript):
    page = new_context("desktop", java_script_enabled=javascript).new_page()
    sign_in(page, make_person("peer"))
    page.goto("/learn/self-care-plan")
    page.get_by_label("My warning signs").fill("I stop eating lunch.")
    page.get_by_label("When will you look at this plan again?").fill("2027-03-01")
    page.get_by_role("button", name="Save my plan").click()
    expect(page.get_by_text("Your self-care plan is saved.")).to_be_visible()
    expect(page.get_by_label("My warning signs")).to_have_value("I stop eating lunch.")
    expect(page.get_by_label("When will you look at this plan again?")).to_have_value("2027-03-01")
