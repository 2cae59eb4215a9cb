"""Work that grows with an agency: reminder mail for everyone, and a CSV import of people,
at 1x and 10x, each against a floor measured in the same run, on PostgreSQL.

- Reminders: `outgoing_mails` (plan every learner, write every mail; nothing is sent) for
  10,000 and 100,000 seeded learners (`flask demo seed`), and the same run with `queue`
  (into the outbox, remembered as sent; rolled back), which is `flask reminders send`
  without its commit. Rules: every peer in one team in ten must finish a course by a date
  three days away, so a tenth of them get a mail while every learner is planned. Floor: the
  same facts read with plain SQL as tuples (people with roles, rules, completions,
  reminders already sent), nothing built from them.
- CSV import: `plan_for_text` + `apply_plan` (checks, creates people and their audit
  events, flushes) for 500 and 5,000 people (the most a file may hold); rolled back after
  each run so runs repeat. Floor: `csv` parsing the same file plus one multi-row INSERT of
  the people and their roles, also rolled back.

Each measurement runs in a fresh process: seconds, and peak memory as the process's
highest resident memory during the work (VmHWM, reset just before) over what it held
before. Sizes alternate; medians of the rounds. The figures are the cost curves of time
and of peak memory (10x / 1x; 10 is linear, 1 is flat) and each 10x run against its floor.
"""

import json
import subprocess
import sys
import time
from datetime import date, timedelta

import sqlalchemy as sa

from bench.common import (
    ROOT,
    app_env,
    figure,
    flask_command,
    lesson_under_test,
    make_app,
    median,
    postgres_urls,
    print_table,
)

REMINDER_SIZES = (10_000, 100_000)
IMPORT_SIZES = (500, 5_000)
ROUNDS = {"reminders": 2, "import": 3}
TIME_LIMIT = 600  # seconds for one measurement


def memory_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (the most resident since the last reset), in MB."""
    line = next(line for line in open("/proc/self/status") if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def measured(work) -> dict:
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # reset the high-water mark to what the process holds now
    before = memory_mb("VmRSS")
    started = time.perf_counter()
    result = work()
    return {"seconds": time.perf_counter() - started, "peak_mb": memory_mb("VmHWM") - before, "result": result}


def reminder_rules(app) -> None:
    from lms.models import Agency, Assignment, Team

    with app.app_context():
        from lms.extensions import db

        agency = db.session.scalar(sa.select(Agency))
        course = next(c for c in app.extensions["catalog"] if c.is_for({"peer"}))
        team_ids = db.session.scalars(sa.select(Team.id).where(Team.agency_id == agency.id).order_by(Team.id)).all()
        db.session.add_all(
            Assignment(agency_id=agency.id, course_slug=course.slug, team_id=team_id, due_on=date.today() + timedelta(days=3))
            for team_id in team_ids[::10]
        )
        db.session.commit()


def run_reminders(url: str, courses_dir: str, kind: str) -> dict:
    from lms.extensions import db
    from lms.services import reminders

    app = make_app(url, courses_dir)
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
        if kind == "floor":

            def work():
                facts = [
                    'SELECT u.id, u.name, u.email, u.team_id, u.joined_on, r.role FROM "user" u'
                    " JOIN user_role r ON r.user_id = u.id WHERE u.active",
                    "SELECT * FROM assignment",
                    "SELECT user_id, course_slug, max(completed_at) FROM course_completion GROUP BY user_id, course_slug",
                    "SELECT user_id, kind, key FROM sent_reminder",
                    "SELECT user_id, team_id FROM team_supervisor",
                ]
                return sum(len(db.session.execute(sa.text(query)).all()) for query in facts)
        elif kind == "queued":

            def work():
                return sum(reminders.queue(reminders.outgoing_mails(app.extensions["catalog"], date.today())).values())
        else:

            def work():
                return sum(1 for _ in reminders.outgoing_mails(app.extensions["catalog"], date.today()))

        result = measured(work)
        db.session.rollback()
        return result


def import_file(people: int) -> str:
    lines = ["name,email,roles,team,supervisor_email"]
    lines += [f"Imported Person {n},imported{n}@import.example.org,peer,Team {n % 20}," for n in range(people)]
    return "\n".join(lines) + "\n"


def run_import(url: str, courses_dir: str, people: int, floor: bool) -> dict:
    import csv
    import io

    from lms.extensions import db
    from lms.models import Agency, User, UserRole
    from lms.services import user_import

    app = make_app(url, courses_dir)
    text = import_file(people)
    with app.app_context():
        agency = db.session.scalar(sa.select(Agency))
        if floor:

            def work():
                rows = list(csv.DictReader(io.StringIO(text)))
                ids = db.session.scalars(
                    sa.insert(User).returning(User.id),
                    [{"agency_id": agency.id, "email": row["email"], "name": row["name"]} for row in rows],
                ).all()
                db.session.execute(sa.insert(UserRole), [{"user_id": i, "role": "peer"} for i in ids])
                return len(ids)
        else:

            def work():
                plan = user_import.plan_for_text(agency, None, text)
                return len(user_import.apply_plan(agency, None, plan, "people.csv").created)

        result = measured(work)
        db.session.rollback()
        return result


def prepare_import_database(url: str, courses_dir: str) -> None:
    from lms.extensions import db
    from lms.models import Team
    from lms.services.accounts import agency_named

    flask_command(app_env(url, courses_dir), "db", "upgrade")
    app = make_app(url, courses_dir)
    with app.app_context():
        agency = agency_named("Import Agency")
        db.session.add_all(Team(agency=agency, name=f"Team {n}") for n in range(20))
        db.session.commit()


def in_fresh_process(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.agency_growth", *args], cwd=ROOT, capture_output=True, text=True, timeout=TIME_LIMIT
    )
    if done.returncode:
        raise RuntimeError(f"{args} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    courses_dir, _, _ = lesson_under_test()
    urls = dict(
        zip(
            [*REMINDER_SIZES, "import"],
            postgres_urls(*(f"common_ground_bench_reminders_{n}" for n in REMINDER_SIZES), "common_ground_bench_import"),
        )
    )
    seeding = {}
    for size in REMINDER_SIZES:
        env = app_env(urls[size], courses_dir)
        flask_command(env, "db", "upgrade")
        started = time.perf_counter()
        flask_command(env, "demo", "seed", "--learners", str(size))
        seeding[size] = time.perf_counter() - started
        app = make_app(urls[size], courses_dir)
        reminder_rules(app)
        with app.app_context():
            from lms.extensions import db

            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
    prepare_import_database(urls["import"], courses_dir)
    results = {}
    for _ in range(ROUNDS["reminders"]):
        for size in REMINDER_SIZES:
            for kind in ("work", "queued", "floor"):
                results.setdefault(("reminders", size, kind), []).append(in_fresh_process("reminders", urls[size], courses_dir, kind))
    for _ in range(ROUNDS["import"]):
        for size in IMPORT_SIZES:
            for kind in ("work", "floor"):
                results.setdefault(("import", size, kind), []).append(
                    in_fresh_process("import", urls["import"], courses_dir, kind, str(size))
                )
    print(
        f"agency_growth: PostgreSQL, courses from {courses_dir}; each run in a fresh process; medians of "
        f"{ROUNDS['reminders']} (reminders) and {ROUNDS['import']} (import) alternating rounds; seeding "
        + ", ".join(f"{n:,} learners {seeding[n]:.1f} s" for n in REMINDER_SIZES)
        + "\n"
    )
    rows = []
    for (work, size, kind), runs in results.items():
        rows.append(
            [
                work,
                size,
                kind,
                median(r["seconds"] for r in runs),
                min(r["seconds"] for r in runs),
                median(r["peak_mb"] for r in runs),
                runs[0]["result"],
            ]
        )
    print_table(["work", "size", "run", "median s", "min s", "peak MB over start", "mails / people / rows"], rows)
    seconds = {(w, s, k): median(r["seconds"] for r in runs) for (w, s, k), runs in results.items()}
    peaks = {(w, s, k): median(r["peak_mb"] for r in runs) for (w, s, k), runs in results.items()}
    for work, (small, large) in (("reminders", REMINDER_SIZES), ("import", IMPORT_SIZES)):
        figure(f"{work}_10x_time_curve", seconds[work, large, "work"] / seconds[work, small, "work"], "<=", 12)
        figure(f"{work}_10x_vs_floor", seconds[work, large, "work"] / seconds[work, large, "floor"], "<=", 20)
        figure(f"{work}_10x_peak_mb", peaks[work, large, "work"], "<=", 1024)
    figure(
        "reminders_queued_10x_time_curve",
        seconds["reminders", REMINDER_SIZES[1], "queued"] / seconds["reminders", REMINDER_SIZES[0], "queued"],
        "<=",
        12,
    )
    # Flat: people are read a batch at a time, so ten times the learners must not need ten times the memory.
    figure(
        "reminders_10x_peak_curve",
        peaks["reminders", REMINDER_SIZES[1], "queued"] / peaks["reminders", REMINDER_SIZES[0], "queued"],
        "<=",
        2,
    )


def worker(args: list[str]) -> None:
    work, url, courses_dir, kind, *rest = args
    if work == "reminders":
        result = run_reminders(url, courses_dir, kind)
    else:
        result = run_import(url, courses_dir, int(rest[0]), kind == "floor")
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        worker(sys.argv[1:])
    else:
        main()
