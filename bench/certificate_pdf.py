"""Certificate PDFs: our endpoint on a first download against WeasyPrint alone, and a cached
re-download against a first download.

A peer completes a course through the services (lms.services.demo.complete_course_for_demo:
lessons, check, evaluation, completion), which issues the certificate. Then, in process
with the Flask test client on a SQLite file, runs alternate between:

- first download: Certificate.pdf set to None (cache empty), then GET /certificates/<code>.pdf;
- WeasyPrint alone: weasyprint.HTML(string=same_html, base_url=PDF_BASE_URL,
  url_fetcher=StaticOnlyFetcher(static_dir)).write_pdf() on the identical HTML;
- cached re-download: the same GET with the PDF already stored.
"""

import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask import render_template
from weasyprint import HTML

from bench.common import (
    PASSWORD,
    app_env,
    client_login,
    figure,
    flask_command,
    lesson_under_test,
    make_app,
    median,
    print_table,
)
from lms.domain.roles import PEER
from lms.extensions import db
from lms.models import Certificate, User
from lms.pdf import PDF_BASE_URL, PDF_STATIC, StaticOnlyFetcher
from lms.services.accounts import agency_named, create_user
from lms.services.demo import complete_course_for_demo
from lms.web.certificates import certificate_context

ROUNDS = 11
PDF_GOAL = 1.3
CACHED_GOAL = 0.05
EMAIL = "certified@bench.example.org"
PREFERRED_COURSE = "self-care"


def certified_app(url: str, courses_dir: str):
    """(app, certificate code, course title) after a peer completes a course."""
    flask_command(app_env(url, courses_dir), "db", "upgrade")
    app = make_app(url, courses_dir)
    catalog = app.extensions["catalog"]
    with app.app_context():
        agency = agency_named("Bench Agency")
        agency.certificate_signer_name = "Morgan Lee"
        agency.certificate_signer_title = "Training Director"
        learner = create_user(agency, EMAIL, "Jordan Rivera", {PEER}, PASSWORD)
        db.session.flush()
        course = catalog.get(PREFERRED_COURSE) or next(c for c in catalog if c.is_for({PEER}))
        complete_course_for_demo(learner, course)
        db.session.commit()
        code = db.session.scalar(sa.select(Certificate.code).join(User).where(User.email == EMAIL))
        if code is None:
            raise RuntimeError(f"completing {course.slug} issued no certificate")
    return app, code, course.title


def main():
    courses_dir, *_ = lesson_under_test()
    with tempfile.TemporaryDirectory(prefix="bench-certificate-") as temp:
        app, code, title = certified_app(f"sqlite:///{Path(temp) / 'certificate.db'}", courses_dir)
        static_dir = Path(app.static_folder)
        client = client_login(app, EMAIL, PASSWORD)
        path = f"/certificates/{code}.pdf"

        with app.app_context():
            certificate = db.session.scalar(sa.select(Certificate).where(Certificate.code == code))
            with app.test_request_context():
                html = render_template("certificates/print/certificate.html", static=PDF_STATIC, **certificate_context(certificate))

        def clear_cache():
            with app.app_context():
                db.session.execute(sa.update(Certificate).where(Certificate.code == code).values(pdf=None))
                db.session.commit()

        def download() -> bytes:
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} answered {response.status_code}")
            return response.get_data()

        def weasyprint_alone() -> bytes:
            return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyFetcher(static_dir)).write_pdf()

        sizes = {}
        clear_cache()
        sizes["first download"] = len(download())  # warm up: fonts, templates
        sizes["WeasyPrint alone"] = len(weasyprint_alone())
        sizes["cached re-download"] = len(download())
        times = {name: [] for name in sizes}
        for _ in range(ROUNDS):
            clear_cache()  # not timed
            started = time.perf_counter()
            download()
            times["first download"].append(time.perf_counter() - started)
            started = time.perf_counter()
            weasyprint_alone()
            times["WeasyPrint alone"].append(time.perf_counter() - started)
            started = time.perf_counter()
            download()
            times["cached re-download"].append(time.perf_counter() - started)
        with app.app_context():
            stored = db.session.scalar(sa.select(sa.func.length(Certificate.pdf)).where(Certificate.code == code))

    print(
        f"certificate_pdf: GET /certificates/<code>.pdf for '{title}', SQLite file, test client, "
        f"{ROUNDS} alternating rounds; stored PDF {stored} bytes\n"
    )
    print_table(
        ["run", "median ms", "min ms", "PDF bytes"], [[name, 1000 * median(t), 1000 * min(t), sizes[name]] for name, t in times.items()]
    )
    first, alone, cached = (median(times[name]) for name in ("first download", "WeasyPrint alone", "cached re-download"))
    figure("certificate_pdf_ratio", first / alone, "<=", PDF_GOAL)
    figure("certificate_cached_ratio", cached / first, "<=", CACHED_GOAL)


if __name__ == "__main__":
    main()
