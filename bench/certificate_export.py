"""The audit ZIP: peak memory while 500 certificates stream out, against the same export
of one certificate in the same run; and the cost curve from 50 to 500 certificates (1x to
10x), time and peak.

A SQLite file built by `flask db upgrade`; an agency with 500 learners, each with a
completion and a certificate whose PDF is cached (one real certificate PDF, rendered
once, stored on every row: the export reuses cached PDFs, so this is what it streams).
An admin downloads GET /admin/certificates/export.zip through the Flask test client
without buffering; the chunks are counted and dropped, as a web server would send them.
Python's own allocations are traced (tracemalloc), so the peak is the export's, not the
interpreter's.
"""

import io
import tempfile
import time
import tracemalloc
import zipfile
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.common import PASSWORD, app_env, client_login, figure, flask_command, lesson_under_test, make_app, print_table
from lms.domain.roles import ADMIN, PEER
from lms.extensions import db
from lms.models import Certificate, CourseCompletion, utcnow
from lms.services.accounts import agency_named, create_user
from lms.services.certificates import issue_certificate
from lms.web.certificates import render_certificate_pdf

CERTIFICATES = 500
GOAL_MB = 100
ADMIN_EMAIL = "auditor@bench.example.org"
PATH = "/admin/certificates/export.zip"


def seeded_app(url: str, courses_dir: str):
    flask_command(app_env(url, courses_dir), "db", "upgrade")
    app = make_app(url, courses_dir)
    course = next(c for c in app.extensions["catalog"] if c.is_for({PEER}))
    with app.app_context():
        agency = agency_named("Bench Agency")
        create_user(agency, ADMIN_EMAIL, "Audit Admin", {ADMIN}, PASSWORD)
        now = utcnow()
        for number in range(CERTIFICATES):
            learner = create_user(agency, f"learner{number}@bench.example.org", f"Learner{number} Bench", {PEER})
            db.session.flush()
            completion = CourseCompletion(
                user_id=learner.id,
                course_slug=course.slug,
                course_title=course.title,
                course_version=course.version,
                completed_at=now - timedelta(days=number),
                ce_hours=course.ce_hours,
            )
            db.session.add(completion)
            db.session.flush()
            issue_certificate(completion, [o.text for o in course.objectives], learner)
        db.session.commit()
        with app.test_request_context():
            pdf = render_certificate_pdf(db.session.scalar(sa.select(Certificate).limit(1)))
        db.session.execute(sa.update(Certificate).values(pdf=pdf))
        db.session.commit()
    return app, len(pdf), course.slug


def measure(client, query: str) -> tuple[float, int, float]:
    """(peak MB traced while streaming, ZIP bytes, seconds)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    response = client.get(PATH + query, buffered=False)
    if response.status_code != 200:
        raise RuntimeError(f"GET {PATH}{query} answered {response.status_code}")
    size = 0
    for chunk in response.response:
        size += len(chunk)
    response.close()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1_000_000, size, seconds


def main():
    courses_dir, *_ = lesson_under_test()
    with tempfile.TemporaryDirectory(prefix="bench-export-") as temp:
        app, pdf_bytes, slug = seeded_app(f"sqlite:///{Path(temp) / 'export.db'}", courses_dir)
        client = client_login(app, ADMIN_EMAIL, PASSWORD)
        with app.app_context():
            newest = db.session.scalar(sa.select(sa.func.max(Certificate.completed_on)))
        one = f"?course={slug}&date_from={newest.isoformat()}"  # the newest certificate alone
        tenth = f"?course={slug}&date_from={(newest - timedelta(days=CERTIFICATES // 10 - 1)).isoformat()}"
        measure(client, one)  # warm up: templates, imports
        baseline_mb, baseline_size, baseline_s = measure(client, one)
        tenth_mb, tenth_size, tenth_s = measure(client, tenth)
        full_mb, full_size, full_s = measure(client, "")
        # the streamed ZIP is whole: read it back from a buffered download
        archive = zipfile.ZipFile(io.BytesIO(client.get(PATH).get_data()))
        files = [name for name in archive.namelist() if name.endswith(".pdf")]
        if len(files) != CERTIFICATES:
            raise RuntimeError(f"the ZIP holds {len(files)} PDFs, not {CERTIFICATES}")

    print(
        f"certificate_export: GET {PATH}, SQLite file, test client unbuffered; {CERTIFICATES} certificates, "
        f"cached PDF {pdf_bytes:,} bytes each\n"
    )
    print_table(
        ["export", "certificates", "ZIP MB", "peak traced MB", "seconds"],
        [
            ["baseline", 1, baseline_size / 1e6, baseline_mb, baseline_s],
            ["a tenth", CERTIFICATES // 10, tenth_size / 1e6, tenth_mb, tenth_s],
            ["full", CERTIFICATES, full_size / 1e6, full_mb, full_s],
        ],
    )
    growth = full_mb - baseline_mb
    figure("certificate_export_peak_growth_mb", growth, "<=", GOAL_MB)
    # Streaming means the peak is a small part of what was sent (all in memory would be >= 1).
    figure("certificate_export_peak_per_zip_size", full_mb / (full_size / 1e6), "<=", 0.25)
    figure("certificate_export_10x_time_curve", full_s / tenth_s, "<=", 12)
    figure("certificate_export_10x_peak_curve", full_mb / tenth_mb, "<=", 12)


if __name__ == "__main__":
    main()
