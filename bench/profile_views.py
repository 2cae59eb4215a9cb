"""Where a logged-in page view spends its time: cProfile over repeated views, in process.

Not a benchmark (no figure): it prints the functions that cost most, for the write-ups in
docs/performance.md. `python -m bench.profile_views [path] [views]`; the default path is
the lesson under test on a SQLite file.
"""

import cProfile
import pstats
import sys
import tempfile

from bench.common import PASSWORD, bench_database, client_login, lesson_under_test, queries_for

VIEWS = 300
STEPS = {  # (file name ending, function) -> what that step of a view does
    ("lms/web/auth.py", "load_user"): "load the user (and roles)",
    ("lms/services/progress.py", "record_view"): "record the view (INSERT ... ON CONFLICT)",
    ("lms/services/progress.py", "progress_in"): "read progress",
    ("lms/services/private_writing.py", "reflection_on"): "read the reflection",
    ("lms/services/progress.py", "lesson_state"): "read progress and reflection (one statement)",
    ("lms/services/role_card.py", "role_card_html"): "the agency's role card",
    ("lms/web/htmx.py", "render_page"): "render the template (Jinja)",
    ("lms/web/learn/lesson_page.py", "render_lesson"): "the lesson's kept page, filled in",
    ("lms/web/kept_pages.py", "render_kept"): "a kept page, filled in (rendered on a miss)",
    ("lms/services/overview.py", "overview_of"): "read and derive the learner's facts (My learning)",
    ("flask_wtf/csrf.py", "generate_csrf"): "CSRF token",
    ("sqlalchemy/orm/session.py", "_connection_for_bind"): "check out a connection, begin",
}
GROUPS = {  # a file path fragment -> the part of the stack it stands for
    "flask_login": "loading the user (flask_login)",
    "sqlalchemy": "SQLAlchemy",
    "jinja2": "Jinja",
    "psycopg": "database driver",
    "sqlite3": "database driver",
    "flask_wtf": "CSRF",
    "itsdangerous": "session and CSRF signing",
    "flask_limiter": "limiter",
    "werkzeug": "Werkzeug",
    "/templates/": "Jinja (compiled templates)",
    "/flask/": "Flask",
}


def main():
    courses_dir, slug, lesson_id = lesson_under_test()
    path = sys.argv[1] if len(sys.argv) > 1 else f"/learn/courses/{slug}/lessons/{lesson_id}"
    views = int(sys.argv[2]) if len(sys.argv) > 2 else VIEWS
    with tempfile.TemporaryDirectory() as scratch:
        app, emails = bench_database(f"sqlite:///{scratch}/profile.sqlite", courses_dir, 1)
        client = client_login(app, emails[0], PASSWORD)
        for _ in range(20):
            client.get(path)
        statements = queries_for(app, client, path)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(views):
            client.get(path)
        profile.disable()
    stats = pstats.Stats(profile)
    total = stats.total_tt
    print(
        f"profile_views: GET {path}, {views} views in process (test client), SQLite file; "
        f"{1000 * total / views:.2f} ms per view under the profiler; {statements} SQL statements per view\n"
    )
    own = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
        group = next(
            (name for fragment, name in GROUPS.items() if f"/{fragment}/" in filename or fragment in filename),
            "the app, Flask and the rest",
        )
        own[group] = own.get(group, 0) + tottime
    print("own time by library (share of the view):")
    for group, seconds in sorted(own.items(), key=lambda item: -item[1]):
        print(f"  {100 * seconds / total:5.1f} %  {group}")
    print()
    print("steps (time including what they call, share of the view):")
    for (filename, _, function), (_, _, _, cumulative, _) in sorted(stats.stats.items(), key=lambda item: -item[1][3]):
        step = next((label for (ending, name), label in STEPS.items() if filename.endswith(ending) and function == name), None)
        if step:
            print(f"  {100 * cumulative / total:5.1f} %  {step}")
    print()
    stats.sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
