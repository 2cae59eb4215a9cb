"""Steps a learner takes, shared by the web tests."""

import io
import re
from pathlib import Path

from pypdf import PdfReader

from tests.conftest import Auth, csrf_token_from

COURSE = "/learn/courses/starting-out/"
LESSONS = ("welcome", "listening", "supervision")
CHECK = COURSE + "check"
RIGHT = {"q1": "a", "q2": "b"}
WRONG = {"q1": "a", "q2": "a"}
HTMX = {"HX-Request": "true"}
# A course with no knowledge check and no evaluation: marking its last lesson complete completes it.
COURSES_WITHOUT_CHECK = str(Path(__file__).resolve().parent.parent / "fixtures" / "courses-without-check")
SHORT_COURSE = "/learn/courses/first-week/"
SHORT_LESSONS = ("who-to-ask", "your-first-week")
GOOD_EVALUATION = {"objective-O1": "5", "objective-O2": "4", "relevance": "5", "would_recommend": "yes"}


def finish_lessons(client, token):
    for lesson in LESSONS:
        client.post(f"{COURSE}lessons/{lesson}/complete", data={"csrf_token": token})


def open_check(client):
    """Open the check page; return (attempt id, page text)."""
    page = client.get(CHECK).get_data(as_text=True)
    attempt_id = int(re.search(r"/check/attempts/(\d+)", page).group(1))
    return attempt_id, page


def submit(client, token, attempt_id, answers, headers=None):
    data = {f"q-{question}": choice for question, choice in answers.items()}
    return client.post(f"{CHECK}/attempts/{attempt_id}", data={**data, "csrf_token": token}, headers=headers or {})


def pass_check(client, token):
    attempt_id, _ = open_check(client)
    return submit(client, token, attempt_id, RIGHT)


def pdf_text(data: bytes) -> str:
    """The text of a PDF, with runs of white space folded to one space."""
    assert data.startswith(b"%PDF")
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def logged_in(app, user):
    """(a client logged in as `user`, a CSRF token for its forms)."""
    client = app.test_client()
    auth = Auth(client)
    assert auth.login(user).status_code == 303
    return client, auth.token()


def post_login(client, email, password):
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    return client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token})
