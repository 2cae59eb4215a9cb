"""Fixes a learner or an admin would notice: one-page plan PDF, the check's numbering and order,
the lesson's no-JavaScript return point, "Next" counting as read, the welcome page."""

import io
import re
from datetime import date
from types import SimpleNamespace

from pypdf import PdfReader

from lms.services.private_writing import MAX_PLAN_SECTION, PlanText
from lms.web.downloads import pdf_from_template
from tests.web.helpers import CHECK, COURSE, HTMX, finish_lessons, open_check, submit

PLAN_TEXT = (
    "I notice a tight chest and short sleep. I skip lunch and stop calling friends back. My partner says "
    "I go quiet at dinner. I replay visits in my head at night and feel numb on Sunday evenings. "
)


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def plan_pdf(app, section_count: int, text: str, review_on=None) -> bytes:
    sections = [SimpleNamespace(id=f"s{n}", label=f"Part {n} of my plan", hint="") for n in range(1, section_count + 1)]
    plan = PlanText({section.id: text for section in sections if text}, review_on, None)
    with app.test_request_context():
        return pdf_from_template(
            "learn/print/self_care_plan.html", plan=plan, sections=sections, current_user=SimpleNamespace(name="Ana Diaz")
        )


def test_self_care_plan_pdf_is_one_page_empty_or_full(app, client, token):
    assert pages(client.get("/learn/self-care-plan.pdf").data) == 1  # nothing written yet
    full = {"warning-signs": PLAN_TEXT * 3, "commitment": PLAN_TEXT * 3, "review_on": "2027-03-01", "csrf_token": token}
    assert client.post("/learn/self-care-plan", data=full).status_code == 303
    assert pages(client.get("/learn/self-care-plan.pdf").data) == 1
    # A plan of ten parts, empty and with every part filled in, still prints on one page.
    assert pages(plan_pdf(app, 10, "")) == 1
    assert pages(plan_pdf(app, 10, PLAN_TEXT * 2, date(2027, 3, 1))) == 1


def test_the_longest_plan_keeps_every_word(app):
    text = ("word " * (MAX_PLAN_SECTION // 5)).strip()
    pdf = PdfReader(io.BytesIO(plan_pdf(app, 10, text)))
    printed = " ".join(page.extract_text() for page in pdf.pages)
    assert printed.count("word") == 10 * text.count("word")


def shown_order(page: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'id="q-(q\d)-[a-d]"', page)))


def test_error_box_names_the_unanswered_question_by_its_place_on_the_page(client, token):
    finish_lessons(client, token)
    attempt_id, page = open_check(client)
    first, second = shown_order(page)
    response = submit(client, token, attempt_id, {first: "a"})  # the second question left unanswered
    assert response.status_code == 422
    summary = response.get_data(as_text=True).split('id="check-errors"')[1].split("</div>")[0]
    assert re.search(rf'href="#question-{second}">Question 2<', summary), summary


def test_results_list_questions_in_the_order_the_check_showed_them(client, token):
    finish_lessons(client, token)
    # The order is fixed per attempt id: find one that differs from the file's. Ids carry on from
    # earlier tests (PostgreSQL keeps its sequences); among the first 20,000 ids, at most 15 in a row
    # keep the file's order.
    for _ in range(20):
        attempt_id, page = open_check(client)
        order = shown_order(page)
        if order != ["q1", "q2"]:
            break
        submit(client, token, attempt_id, {"q1": "b", "q2": "a"})
    assert order == ["q2", "q1"]
    result = client.get(submit(client, token, attempt_id, {"q1": "a", "q2": "b"}).headers["Location"]).get_data(as_text=True)
    prompts = [result.index("A visit leaves you uneasy. What do you do?"), result.index("What do peers often bring to a team?")]
    assert prompts == sorted(prompts)


def test_without_javascript_completing_a_lesson_returns_to_its_status(client, token):
    response = client.post(f"{COURSE}lessons/listening/complete", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/lessons/listening#lesson-status")


def pager_form(page: str) -> tuple[str, dict]:
    """The pager's Next (or Finish) form: where it posts and its fields."""
    form = re.search(r'<form method="post" action="([^"]+)" class="pager-form".*?</form>', page, re.S)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(0)))
    return form.group(1), fields


def test_next_counts_the_lesson_as_read(client, token):
    page = client.get(f"{COURSE}lessons/welcome").get_data(as_text=True)
    for following in ("listening", "supervision"):
        action, fields = pager_form(page)
        response = client.post(action, data=fields)
        assert response.status_code == 303 and response.headers["Location"].endswith(f"lessons/{following}")
        page = client.get(response.headers["Location"]).get_data(as_text=True)
    action, fields = pager_form(page)  # the last lesson: finish and back to the course page
    response = client.post(action, data=fields)
    assert response.headers["Location"].endswith(COURSE)
    page = client.get(CHECK).get_data(as_text=True)
    assert "Finish every lesson first" not in page
    assert "/check/attempts/" in page


def test_next_with_htmx_swaps_in_the_next_lesson(client, token):
    page = client.get(f"{COURSE}lessons/welcome").get_data(as_text=True)
    action, fields = pager_form(page)
    response = client.post(action, data=fields, headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"].endswith("lessons/listening")
    assert "Listening first" in response.get_data(as_text=True)
    assert "1 of 3 done" in response.get_data(as_text=True)


def test_logged_out_home_is_a_welcome_page(client):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please log in" not in page
    assert "Common Ground" in page and 'href="/auth/login' in page


def test_learner_home_continues_where_they_left_off_and_counts_this_years_hours(client, token):
    page = client.get("/learn/").get_data(as_text=True)
    assert "Start here" in page and "Continue where you left off" not in page
    client.post(f"{COURSE}lessons/welcome/complete", data={"csrf_token": token})
    page = client.get("/learn/").get_data(as_text=True)
    assert "Continue where you left off" in page and "Resume: Listening first" in page
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "0 estimated contact hours" in text
    finish_lessons(client, token)
    attempt_id, _ = open_check(client)
    submit(client, token, attempt_id, {"q1": "a", "q2": "b"})
    client.post(
        COURSE + "evaluation",
        data={"objective-O1": "5", "objective-O2": "4", "relevance": "5", "would_recommend": "yes", "csrf_token": token},
    )
    page = client.get("/learn/").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "0.5 estimated contact hours" in text and "1 course finished" in text
    finished = page.split('id="finished-heading"')[1]
    assert "Starting out as a peer" in finished and "Complete" in finished


def test_counts_say_one_reflection_not_reflections(client, token):
    client.post(f"{COURSE}lessons/welcome/reflection", data={"reflection": "Patience.", "csrf_token": token})
    response = client.post("/learn/reflections/delete-all", data={"confirm": "yes", "csrf_token": token}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "1 reflection deleted." in page and "(s)" not in page
