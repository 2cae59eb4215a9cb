"""PDFs cost bounded work: a size budget, a per-person limit, a time limit that answers a
page instead of killing the worker, and a cache (encrypted) for PDFs of private writing."""

import time

import sqlalchemy as sa

from lms.extensions import db
from lms.models import PdfCache
from tests.conftest import Auth
from tests.web.helpers import COURSE, LESSONS, pdf_text

REFLECTIONS_PDF = "/learn/reflections.pdf"


def write(client, token, lesson, text):
    response = client.post(f"{COURSE}lessons/{lesson}/reflection", data={"reflection": text, "csrf_token": token})
    assert response.status_code == 303


def learner(app, make_user):
    client = app.test_client()
    auth = Auth(client)
    auth.login(make_user("peer"))
    return client, auth.token()


def cache_rows(app):
    with app.app_context():
        return db.session.scalars(sa.select(PdfCache)).all()


def test_reflections_longer_than_the_budget_get_a_clear_page(make_app, make_user):
    app = make_app(PDF_MAX_CHARACTERS=500)
    client, token = learner(app, make_user)
    write(client, token, LESSONS[0], "Steady words. " * 20)  # 279 characters: fits
    assert client.get(REFLECTIONS_PDF).status_code == 200
    write(client, token, LESSONS[1], "More words here. " * 20)
    response = client.get(REFLECTIONS_PDF)
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "too long to fit in one PDF" in page and "a PDF holds up to 500" in page
    assert client.get("/learn/reflections.md").status_code == 200  # the text version has them all


def test_a_render_past_its_time_limit_answers_a_page_and_the_worker_goes_on(make_app, make_user):
    app = make_app(PDF_TIME_LIMIT_SECONDS=0.001)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client, token = learner(app, make_user)
    write(client, token, LESSONS[0], "A thought.")
    started = time.monotonic()
    response = client.get(REFLECTIONS_PDF)
    assert time.monotonic() - started < 10
    assert response.status_code == 503 and "took too long" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) >= 60
    assert client.get("/learn/").status_code == 200
    assert cache_rows(app) == []  # nothing half-made is kept


def test_pdfs_are_limited_per_person(make_app, make_user):
    app = make_app(PDF_RATE_LIMIT="2 per minute")
    client, _ = learner(app, make_user)
    assert [client.get("/certificates/transcript.pdf").status_code for _ in range(3)] == [200, 200, 429]
    other, _ = learner(app, make_user)
    other.environ_base["REMOTE_ADDR"] = client.environ_base.get("REMOTE_ADDR", "127.0.0.1")  # same address, another person
    assert other.get("/certificates/transcript.pdf").status_code == 200


def test_the_reflections_pdf_is_cached_encrypted_until_the_writing_changes(app, make_app, make_user):
    client, token = learner(app, make_user)
    write(client, token, LESSONS[0], "The shelter visit stayed with me.")
    first = client.get(REFLECTIONS_PDF)
    assert first.status_code == 200 and "The shelter visit stayed with me." in pdf_text(first.data)
    [row] = cache_rows(app)
    assert row.pdf_encrypted.startswith(b"gAAAAA") and b"%PDF" not in row.pdf_encrypted  # Fernet, like the writing

    # Served from the cache: a server that could not render in time still answers with it.
    cannot_render = make_app(PDF_TIME_LIMIT_SECONDS=0.001)
    again = cannot_render.test_client()
    again.set_cookie(app.config["SESSION_COOKIE_NAME"], client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    assert again.get(REFLECTIONS_PDF).data == first.data

    write(client, token, LESSONS[0], "Edited: the visit stayed with me.")
    assert cache_rows(app) == []  # the old text's PDF is gone at once
    assert "Edited: the visit" in pdf_text(client.get(REFLECTIONS_PDF).data)
    client.post("/learn/reflections/delete-all", data={"confirm": "yes", "csrf_token": token})
    assert cache_rows(app) == []


def test_another_persons_cache_is_never_served(app, make_user):
    writer, token = learner(app, make_user)
    write(writer, token, LESSONS[0], "Only mine.")
    assert "Only mine." in pdf_text(writer.get(REFLECTIONS_PDF).data)
    reader, _ = learner(app, make_user)
    assert "Only mine." not in pdf_text(reader.get(REFLECTIONS_PDF).data)


def test_key_rotation_drops_cached_pdfs(app, make_app, make_user):
    from lms.vault import new_key

    client, token = learner(app, make_user)
    write(client, token, LESSONS[0], "Rotate me.")
    client.get(REFLECTIONS_PDF)
    assert len(cache_rows(app)) == 1
    rotated = make_app(ENCRYPTION_KEYS=f"{new_key()},{app.config['ENCRYPTION_KEYS']}")
    assert rotated.test_cli_runner().invoke(args=["private-data", "rotate"]).exit_code == 0
    assert cache_rows(app) == []
