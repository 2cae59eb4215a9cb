"""One learner's pages at 100,000 learners against the same pages at 1,000, on PostgreSQL.

`flask demo seed` fills two fresh databases (its wall time is reported), ANALYZE runs as
autovacuum would after a bulk load, then the course page and My learning of a peer with
the most progress in the first peer course are timed in process, alternating databases.
"""

import time

import sqlalchemy as sa

from bench.common import (
    app_env,
    client_login,
    figure,
    flask_command,
    lesson_under_test,
    make_app,
    median,
    postgres_urls,
    print_table,
    queries_for,
)
from lms.extensions import db
from lms.services.seed import SEED_PASSWORD

SIZES = (1_000, 100_000)
ROUNDS = 100
RATIO_GOAL = 1.5
SEED_GOAL_SECONDS = 180
BUSIEST_PEER = sa.text(
    "SELECT u.email FROM lesson_progress p JOIN user_role r ON r.user_id = p.user_id AND r.role = 'peer'"
    ' JOIN "user" u ON u.id = p.user_id WHERE p.course_slug = :slug'
    " GROUP BY u.id, u.email ORDER BY count(*) DESC, u.id LIMIT 1"
)


def seeded_app(url: str, courses_dir: str, learners: int):
    """(app, seconds `flask demo seed` took, progress rows)."""
    env = app_env(url, courses_dir)
    flask_command(env, "db", "upgrade")
    started = time.perf_counter()
    flask_command(env, "demo", "seed", "--learners", str(learners))
    seconds = time.perf_counter() - started
    app = make_app(url, courses_dir)
    with app.app_context():
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        rows = db.session.scalar(sa.text("SELECT count(*) FROM lesson_progress"))
    return app, seconds, rows


def main():
    courses_dir, slug, _ = lesson_under_test()
    pages = {"course page": f"/learn/courses/{slug}/", "My learning": "/learn/"}
    urls = postgres_urls(*(f"common_ground_bench_{n}" for n in SIZES))
    apps, clients, seeding, progress_rows = {}, {}, {}, {}
    for learners, url in zip(SIZES, urls):
        apps[learners], seeding[learners], progress_rows[learners] = seeded_app(url, courses_dir, learners)
        with apps[learners].app_context():
            email = db.session.scalar(BUSIEST_PEER, {"slug": slug})
        clients[learners] = client_login(apps[learners], email, SEED_PASSWORD)
    times = {(n, page): [] for n in SIZES for page in pages}
    for _ in range(ROUNDS):
        for n in SIZES:
            for page, path in pages.items():
                started = time.perf_counter()
                status = clients[n].get(path).status_code
                times[n, page].append(time.perf_counter() - started)
                if status != 200:
                    raise RuntimeError(f"GET {path} answered {status}")
    print(f"scale: PostgreSQL, courses from {courses_dir}, {ROUNDS} alternating rounds\n")
    print_table(
        ["learners", "progress rows", "seed s", "page", "median ms", "SQL per page"],
        [
            [n, progress_rows[n], seeding[n], page, 1000 * median(times[n, page]), queries_for(apps[n], clients[n], path)]
            for n in SIZES
            for page, path in pages.items()
        ],
    )
    small, large = SIZES
    for page in pages:
        name = "scale_" + page.lower().replace(" ", "_") + "_ratio"
        figure(name, median(times[large, page]) / median(times[small, page]), "<=", RATIO_GOAL)
    figure("scale_seed_100k_seconds", seeding[large], "<=", SEED_GOAL_SECONDS)


if __name__ == "__main__":
    main()
