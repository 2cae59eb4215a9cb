"""The supervisor's team × course matrix (GET /supervise/) at 10, 100 and 1,000 learners.

For each size, a fresh SQLite file gets `flask db upgrade`, then the same bulk seed as
`flask demo seed` (lms.services.seed: teams of 25, roles, about 12 progress rows each),
plus an assignment for every course and role it is for (due 30 to 90 days after joining,
some renewed yearly), course completions for about a third of the assigned pairs, and one
supervisor of every team. The page is fetched in process with the Flask test client.

Twice: with the real courses/ folder (7 courses) and with a temporary copy that adds
5 synthetic courses (copies of real ones under new slugs) to reach the 12 the issue asks for.
The figures come from the 12-course runs.

Statements are counted with a before_cursor_execute listener on one GET. The render
ratio divides the time of the whole request at 1,000 learners by the time to build the
same Matrix (lms.domain.matrix.build_matrix) from inputs fetched once beforehand and
render the same template in a test_request_context; runs alternate.
"""

import random
import re
import shutil
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import render_template
from flask_login import login_user

from bench.common import (
    PASSWORD,
    ROOT,
    app_env,
    client_login,
    figure,
    flask_command,
    make_app,
    median,
    print_table,
)
from lms.domain.assignments import STATE_LABELS, STATES
from lms.domain.course_loader import load_catalog
from lms.domain.matrix import Filters, build_matrix
from lms.domain.roles import CLINICIAN, PEER, SUPERVISOR
from lms.extensions import db
from lms.models import Assignment, CourseCompletion, Team, User, UserRole, utcnow
from lms.services import team_matrix
from lms.services.accounts import agency_named, create_user
from lms.services.assignments import rules_of
from lms.services.seed import SEED_AGENCY, seed

SIZES = (10, 100, 1_000)
ISSUE_COURSES = 12
ROUNDS = {10: 30, 100: 20, 1_000: 12}
STATEMENT_GOAL = 5
RATIO_GOAL = 2
COMPLETED_SHARE = 0.35
SUPERVISOR_EMAIL = "matrix-supervisor@bench.example.org"


def courses_with_synthetic(target: Path, count: int) -> Path:
    """courses/ plus copies of real courses under new slugs, up to `count` courses."""
    shutil.copytree(ROOT / "courses", target)
    real = sorted(p for p in target.iterdir() if (p / "course.md").is_file())
    for n, source in enumerate(real[: max(0, count - len(real))]):
        copy = target / f"{source.name}-synthetic-{n + 1}"
        shutil.copytree(source, copy)
        text = (copy / "course.md").read_text()
        (copy / "course.md").write_text(re.sub(r"^title: (.*)$", r"title: \1 (synthetic copy)", text, count=1, flags=re.M))
    return target


def seeded(folder: Path, courses_dir: Path, learners: int):
    """(app, progress rows, completions) for a fresh SQLite file."""
    url = f"sqlite:///{folder / f'matrix-{courses_dir.name}-{learners}.db'}"
    flask_command(app_env(url, str(courses_dir)), "db", "upgrade")
    app = make_app(url, str(courses_dir))
    catalog = app.extensions["catalog"]
    rng = random.Random(learners)
    with app.app_context():
        result = seed("development", catalog, learners)
        agency = agency_named(SEED_AGENCY)
        agency_id = agency.id
        assigned = {}
        for n, course in enumerate(catalog):
            for role in (PEER, CLINICIAN):
                if course.is_for({role}):
                    db.session.add(
                        Assignment(
                            agency_id=agency_id,
                            course_slug=course.slug,
                            role=role,
                            due_days_after_joining=30 + 30 * (n % 3),
                            renew_yearly=n % 2 == 0,
                        )
                    )
                    assigned.setdefault(role, []).append(course)
        people = db.session.execute(sa.select(UserRole.user_id, UserRole.role)).all()
        now = utcnow()
        completions = [
            {
                "user_id": user_id,
                "course_slug": c.slug,
                "round": 1,
                "course_title": c.title,
                "course_version": c.version,
                "completed_at": now - timedelta(days=rng.randrange(1, 300)),
                "score": 100,
                "ce_hours": c.ce_hours,
            }
            for user_id, role in people
            for c in assigned.get(role, [])
            if rng.random() < COMPLETED_SHARE
        ]
        if completions:
            db.session.execute(sa.insert(CourseCompletion.__table__), completions)
        supervisor = create_user(agency, SUPERVISOR_EMAIL, "Matrix Supervisor", {SUPERVISOR}, PASSWORD)
        supervisor.supervised_teams.extend(db.session.scalars(sa.select(Team)).all())
        db.session.commit()
    return app, result.progress_rows, len(completions)


def statements_of(app, client, path: str) -> list[str]:
    with app.app_context():
        engine = db.engine
    statements = []

    def record(conn, cursor, statement, *_):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}")
    return statements


def label(statement: str) -> str:
    """A short name for a statement: its first table."""
    match = re.search(r"\bFROM\s+\(?\s*(\"?\w+\"?)", statement, re.I)
    verb = statement.split(None, 1)[0].upper()
    return f"{verb} {match.group(1).strip(chr(34))}" if match else verb


def render_only(app, supervisor_id: int):
    """A function that builds the Matrix from pre-fetched inputs and renders the template."""
    catalog = app.extensions["catalog"]
    supervisor = db.session.get(User, supervisor_id)
    teams = team_matrix.supervised_teams(supervisor)
    team_ids = [t.id for t in teams]
    members = team_matrix.members_of(teams)
    rules = rules_of(supervisor.agency_id)
    progress = team_matrix.progress_counts(team_ids, catalog)
    completions = team_matrix.completion_dates(team_ids)
    courses = list(catalog)

    def run() -> str:
        with app.test_request_context("/supervise/"):
            login_user(supervisor)
            filters = Filters()
            matrix = build_matrix(members, courses, rules, progress, completions, date.today(), filters)
            return render_template(
                "supervise/matrix.html",
                fragment=False,
                teams=teams,
                filters=filters,
                matrix=matrix,
                courses=courses,
                states=STATES,
                state_labels=STATE_LABELS,
                query="",
            )

    return run


def measure(app, learners: int):
    client = client_login(app, SUPERVISOR_EMAIL, PASSWORD)
    statements = statements_of(app, client, "/supervise/")
    with app.app_context():
        supervisor_id = db.session.scalar(sa.select(User.id).where(User.email == SUPERVISOR_EMAIL))
        run = render_only(app, supervisor_id)
        body = client.get("/supervise/").get_data(as_text=True)
        run()  # warm up the template
        request_times, render_times = [], []
        for _ in range(ROUNDS[learners]):
            started = time.perf_counter()
            client.get("/supervise/")
            request_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            run()
            render_times.append(time.perf_counter() - started)
    return statements, median(request_times), median(render_times), len(body)


def main():
    with tempfile.TemporaryDirectory(prefix="bench-matrix-") as temp:
        temp = Path(temp)
        folders = {"real": ROOT / "courses", "12": courses_with_synthetic(temp / "courses12", ISSUE_COURSES)}
        table, breakdowns, results = [], {}, {}
        for courses_dir in folders.values():
            count = len(list(load_catalog(courses_dir)))
            for learners in SIZES:
                app, progress_rows, completions = seeded(temp, courses_dir, learners)
                statements, request_s, render_s, size = measure(app, learners)
                results[count, learners] = (len(statements), request_s, render_s)
                breakdowns[count, learners] = Counter(label(s) for s in statements)
                table.append(
                    [
                        count,
                        learners,
                        progress_rows,
                        completions,
                        size // 1024,
                        len(statements),
                        1000 * request_s,
                        1000 * render_s,
                        request_s / render_s,
                    ]
                )
        print(
            f"supervisor_matrix: GET /supervise/ as the supervisor of every team, SQLite file, test client; "
            f"courses: courses/ ({len(list(load_catalog(folders['real'])))}) and a copy with synthetic courses "
            f"({len(list(load_catalog(folders['12'])))}; the issue asks for {ISSUE_COURSES}); median of "
            f"{'/'.join(str(ROUNDS[n]) for n in SIZES)} alternating rounds\n"
        )
        print_table(
            ["courses", "learners", "progress rows", "completions", "page KB", "SQL per page", "request ms", "render-only ms", "ratio"],
            table,
        )
        largest = max(count for count, _ in results)
        print(f"statements for one GET /supervise/ with {largest} courses (the request also loads the supervisor and roles):")
        for learners in SIZES:
            parts = ", ".join(f"{n} x {name}" for name, n in breakdowns[largest, learners].items())
            print(f"  {learners} learners: {parts}")
        print()
        counts = {n for n, *_ in results.values()}
        statements, request_s, render_s = results[largest, SIZES[-1]]
        figure("matrix_statements_1000", statements, "<=", STATEMENT_GOAL)
        figure("matrix_statements_constant", int(len(counts) == 1), ">=", 1)
        figure("matrix_render_ratio_1000", request_s / render_s, "<=", RATIO_GOAL)


if __name__ == "__main__":
    main()
