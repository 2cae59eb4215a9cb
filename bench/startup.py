"""How long a worker takes to start, and how much memory a serving worker holds.

Start-up: a fresh Python process imports the app and runs create_app() (the course catalog
is loaded there), in turns with a baseline process that imports Flask, Flask-Login and
Flask-SQLAlchemy and makes an empty app; medians of alternating rounds. It also times the
catalog load alone and `import weasyprint`, and checks that create_app() does not import
WeasyPrint (only PDFs need it).

Memory: resident memory (RSS) of each gunicorn worker after it has served lesson pages, for
the app, the naive app of lesson_throughput and the bare app returning the same bytes.
"""

import http.client
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import (
    PASSWORD,
    ROOT,
    app_env,
    bench_database,
    figure,
    gunicorn,
    http_login,
    lesson_under_test,
    median,
    print_table,
)
from bench.lesson_throughput import SERVERS, hammer

ROUNDS = 7
WORKERS = 2
APP_START = """
import json, sys, time
started = time.perf_counter()
from lms import create_app
imported = time.perf_counter()
create_app()
done = time.perf_counter()
print(json.dumps({"import": imported - started, "create_app": done - imported, "total": done - started,
                  "weasyprint_loaded": "weasyprint" in sys.modules}))
"""
BASELINE_START = """
import json, time
started = time.perf_counter()
import flask, flask_login, flask_sqlalchemy
app = flask.Flask("baseline")
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
flask_sqlalchemy.SQLAlchemy(app)
flask_login.LoginManager(app)
print(json.dumps({"total": time.perf_counter() - started}))
"""
CATALOG_LOAD = """
import json, time
from lms.domain.course_loader import load_catalog
started = time.perf_counter()
load_catalog({folder!r})
print(json.dumps({{"total": time.perf_counter() - started}}))
"""
WEASYPRINT_IMPORT = """
import json, time
started = time.perf_counter()
import weasyprint
print(json.dumps({"total": time.perf_counter() - started}))
"""


def run_python(code: str, env: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker_rss_mb(master_pid: int) -> list[float]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def main():
    courses_dir, slug, lesson_id = lesson_under_test()
    path = f"/learn/courses/{slug}/lessons/{lesson_id}"
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/bench.sqlite"
        env = app_env(url, courses_dir)
        runs = {"app": [], "baseline": [], "catalog": [], "weasyprint": []}
        for _ in range(ROUNDS):
            runs["app"].append(run_python(APP_START, env))
            runs["baseline"].append(run_python(BASELINE_START, env))
            runs["catalog"].append(run_python(CATALOG_LOAD.format(folder=courses_dir), env))
            runs["weasyprint"].append(run_python(WEASYPRINT_IMPORT, env))
        _, emails = bench_database(url, courses_dir, 8)
        memory = {}
        with gunicorn(SERVERS["app"], env, WORKERS, with_pid=True) as (app_port, app_pid):
            cookies = [http_login(app_port, email, PASSWORD) for email in emails]
            page = Path(scratch) / "page.html"
            hammer(app_port, path, cookies, 400)
            memory["app"] = worker_rss_mb(app_pid)
            connection = http.client.HTTPConnection("127.0.0.1", app_port)
            connection.request("GET", path, headers={"Cookie": cookies[0]})
            page.write_bytes(connection.getresponse().read())
            with gunicorn(SERVERS["naive"], env, WORKERS, with_pid=True) as (naive_port, naive_pid):
                hammer(naive_port, path, list(cookies), 400)
                memory["naive"] = worker_rss_mb(naive_pid)
            with gunicorn(SERVERS["bare"], {**env, "BENCH_BARE_BODY": str(page)}, WORKERS, with_pid=True) as (bare_port, bare_pid):
                hammer(bare_port, path, list(cookies), 400)
                memory["bare"] = worker_rss_mb(bare_pid)
    seconds = {name: median(run["total"] for run in values) for name, values in runs.items()}
    print(
        f"startup: {ROUNDS} alternating rounds of fresh processes (medians); memory after 400 lesson views, gunicorn --workers {WORKERS}\n"
    )
    print_table(
        ["what", "median s", "min s"],
        [
            ["import lms", median(r["import"] for r in runs["app"]), min(r["import"] for r in runs["app"])],
            [
                "create_app() (includes the catalog)",
                median(r["create_app"] for r in runs["app"]),
                min(r["create_app"] for r in runs["app"]),
            ],
            ["app start in all", seconds["app"], min(r["total"] for r in runs["app"])],
            ["catalog load alone", seconds["catalog"], min(r["total"] for r in runs["catalog"])],
            ["import weasyprint alone (not at start-up)", seconds["weasyprint"], min(r["total"] for r in runs["weasyprint"])],
            ["baseline: Flask + Flask-Login + Flask-SQLAlchemy app", seconds["baseline"], min(r["total"] for r in runs["baseline"])],
        ],
    )
    print_table(
        ["server", "worker RSS MB (each worker)"], [[name, ", ".join(f"{size:.1f}" for size in sizes)] for name, sizes in memory.items()]
    )
    figure("startup_vs_minimal_flask", seconds["app"] / seconds["baseline"], "<=", 4)
    figure("startup_imports_weasyprint", int(any(r["weasyprint_loaded"] for r in runs["app"])), "<=", 0)
    figure("worker_rss_mb", max(memory["app"]), "<=", 150)


if __name__ == "__main__":
    main()
