"""lms.pdf.render_pdf (our static-only URL fetcher) against WeasyPrint's own default fetcher
on the same HTML and fonts: the cost of the safety wrapper, before certificates use it more.

The HTML is the reflections print template with a few entries; the baseline gets the
same HTML with file:// links to the same stylesheet and fonts. Runs alternate.
"""

import time
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from flask import render_template
from weasyprint import HTML

from bench.common import figure, lesson_under_test, make_app, median, print_table
from lms.pdf import PDF_STATIC, render_pdf
from lms.services.private_writing import ReflectionText

ROUNDS = 11
GOAL = 1.3
TEXT = (
    "I noticed I wanted to fix things for the person instead of walking beside them. "
    "Next time I will ask what they want from me before offering anything. "
) * 4


def reflections_html(app, static: str) -> str:
    """The print template with three reflections in each of up to three courses."""
    catalog = app.extensions["catalog"]
    now = datetime.now(timezone.utc)
    groups = [
        (course, course.slug, [(lesson, ReflectionText(0, course.slug, lesson.id, TEXT, now)) for lesson in course.lessons[:3]])
        for course in list(catalog)[:3]
    ]
    with app.test_request_context():
        return render_template(
            "learn/print/reflections.html", groups=groups, static=static, current_user=SimpleNamespace(name="Jordan Rivera")
        )


def main():
    courses_dir, *_ = lesson_under_test()
    app = make_app("sqlite://", courses_dir)
    static_dir = Path(app.static_folder)
    ours_html = reflections_html(app, PDF_STATIC)
    plain_html = reflections_html(app, static_dir.as_uri() + "/")
    runs = {
        "lms.pdf.render_pdf": lambda: render_pdf(ours_html, static_dir),
        "weasyprint default fetcher": lambda: HTML(string=plain_html).write_pdf(),
    }
    times, sizes = {name: [] for name in runs}, {}
    for name, run in runs.items():  # warm up: font loading and caches
        sizes[name] = len(run())
    for _ in range(ROUNDS):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    entries = ours_html.count('class="entry"')
    print(f"pdf_cost: learn/print/reflections.html with {entries} entries, {ROUNDS} alternating rounds\n")
    print_table(
        ["renderer", "median ms", "min ms", "PDF bytes"],
        [[name, 1000 * median(t), 1000 * min(t), sizes[name]] for name, t in times.items()],
    )
    ours, plain = (median(t) for t in times.values())
    figure("pdf_cost_ratio", ours / plain, "<=", GOAL)


if __name__ == "__main__":
    main()
