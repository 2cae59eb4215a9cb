"""Learner and supervisor pages under gunicorn against the app a competent developer would
write first (bench/naive_app.py: Flask + Flask-Login + SQLAlchemy, same templates, no
progress, CSRF or limiter), on a SQLite file and on PostgreSQL. The lesson page is also
measured against a bare Flask app returning its bytes.

Pages: a lesson (repeat views: only a learner's first view writes), My learning, and the
supervisor's team matrix. Each client thread is one logged-in person on 127.0.0.1 and keeps
the cookies the server sets, as a browser does. Servers take turns, round by round; each
figure is a ratio of median rounds. Clients send a fixed number of requests per round and
stop at a time limit.
"""

import http.client
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import naive_app
from bench.common import (
    PASSWORD,
    app_env,
    bench_config,
    bench_database,
    client_login,
    figure,
    gunicorn,
    http_login,
    lesson_under_test,
    median,
    percentile,
    postgres_urls,
    print_table,
    queries_for,
)
from lms.extensions import db
from lms.models import Team, User
from lms.services.accounts import create_user

CLIENTS = 8
WORKERS = 2  # the CI machine has 2 cores
REQUESTS = {"app": 200, "naive": 200, "bare": 1000}  # per round; the bare app is many times faster
ROUNDS = 9  # short rounds, many: a burst of other work on the machine spoils fewer of them
TIME_LIMIT = 30  # seconds per round at most
SUPERVISOR = "supervisor@bench.example.org"
SERVERS = {"app": "lms:create_app()", "naive": "bench.naive_app:create_naive_app()", "bare": "bench.bare_app:app"}
GOALS = {"naive": 1.0, "bare": 0.3}


def hammer(port: int, path: str, cookies: list[str], requests: int) -> tuple[float, list[float], int]:
    """One round: (requests per second, latencies of 200 answers, count of other answers).

    Each client keeps the session cookie the server sends back, as a browser would."""
    latencies, failures = [], []
    sent = iter(range(requests))
    deadline = time.perf_counter() + TIME_LIMIT

    def client(n):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIME_LIMIT)
        while next(sent, None) is not None and time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookies[n]})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                for value in response.headers.get_all("Set-Cookie") or []:
                    if value.startswith("session="):
                        cookies[n] = value.split(";")[0]
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            (latencies if ok else failures).append(time.perf_counter() - started)
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(cookies))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - started), latencies, len(failures)


def prepare(url: str, courses_dir: str):
    """Learners (peers) in one team, and its supervisor."""
    app, emails = bench_database(url, courses_dir, CLIENTS)
    with app.app_context():
        from sqlalchemy import select

        learners = db.session.scalars(select(User).where(User.email.in_(emails))).all()
        team = Team(agency_id=learners[0].agency_id, name="Bench Team")
        db.session.add(team)
        for learner in learners:
            learner.team = team
        supervisor = create_user(learners[0].agency, SUPERVISOR, "Bench Supervisor", {"supervisor"}, PASSWORD, team)
        team.supervisors.append(supervisor)
        db.session.commit()
    return app, emails


def measure(backend: str, url: str, courses_dir: str, pages: dict[str, str], scratch: Path) -> list[list]:
    app, emails = prepare(url, courses_dir)
    naive = naive_app.create_naive_app(bench_config(url, courses_dir))
    statements = {}
    for page, path in pages.items():
        email = SUPERVISOR if page == "team matrix" else emails[0]
        app_client = client_login(app, email, PASSWORD)
        app_client.get(path)  # a learner's first view of a lesson writes; the timed views are repeat views
        naive_client = naive.test_client()
        naive_client.set_cookie("session", app_client.get_cookie("session").value)
        for name, client in (("app", app_client), ("naive", naive_client)):
            if (status := client.get(path).status_code) != 200:
                raise RuntimeError(f"the {name} server answers {path} with HTTP {status}")
        statements[page] = {
            "app": queries_for(app, app_client, path),
            "naive": queries_for(naive, naive_client, path, naive_app.db),
            "bare": 0,
        }
    env = app_env(url, courses_dir)
    rows = []
    with gunicorn(SERVERS["app"], env, WORKERS) as app_port:
        logins = {email: http_login(app_port, email, PASSWORD) for email in [*emails, SUPERVISOR]}
        lesson_path = pages["lesson"]
        page = http.client.HTTPConnection("127.0.0.1", app_port)
        page.request("GET", lesson_path, headers={"Cookie": logins[emails[0]]})
        (scratch / "page.html").write_bytes(page.getresponse().read())
        bare_env = {**env, "BENCH_BARE_BODY": str(scratch / "page.html")}
        with gunicorn(SERVERS["naive"], env, WORKERS) as naive_port, gunicorn(SERVERS["bare"], bare_env, WORKERS) as bare_port:
            for page, path in pages.items():
                ports = {"app": app_port, "naive": naive_port, **({"bare": bare_port} if page == "lesson" else {})}
                people = [SUPERVISOR] * CLIENTS if page == "team matrix" else emails
                jars = {name: [logins[email] for email in people] for name in ports}
                for name, port in ports.items():  # warm up every worker, and every learner's first view
                    hammer(port, path, jars[name], 10 * CLIENTS)
                rounds = {name: [] for name in ports}
                for _ in range(ROUNDS):
                    for name, port in ports.items():
                        rounds[name].append(hammer(port, path, jars[name], REQUESTS[name]))
                # The spread: the app's rate over the naive app's in each pair of neighbouring rounds.
                by_round = [app[0] / naive[0] for app, naive in zip(rounds["app"], rounds["naive"])]
                for name, results in rounds.items():
                    latencies = [latency for _, round_latencies, _ in results for latency in round_latencies]
                    rows.append(
                        [
                            backend,
                            page,
                            name,
                            median(r[0] for r in results),
                            1000 * percentile(latencies, 0.5),
                            1000 * percentile(latencies, 0.95),
                            sum(r[2] for r in results),
                            statements[page][name],
                            f"{min(by_round):.2f}-{max(by_round):.2f}" if name == "app" else "",
                        ]
                    )
    return rows


def main():
    """`python -m bench.lesson_throughput [lesson] [my_learning] [matrix]`: only those pages (default: all)."""
    courses_dir, slug, lesson_id = lesson_under_test()
    pages = {"lesson": f"/learn/courses/{slug}/lessons/{lesson_id}", "My learning": "/learn/", "team matrix": "/supervise/"}
    names = {"lesson": "lesson", "My learning": "my_learning", "team matrix": "matrix"}
    if wanted := sys.argv[1:]:
        pages = {page: path for page, path in pages.items() if page == "lesson" or names[page] in wanted}
    print(
        f"lesson_throughput: {', '.join(f'{name} GET {path}' for name, path in pages.items())} ({courses_dir}); "
        f"{CLIENTS} clients keeping their cookies; gunicorn --workers {WORKERS} (sync) for each server; "
        f"{ROUNDS} alternating rounds of {REQUESTS['app']} (app, naive) / {REQUESTS['bare']} (bare) requests\n"
    )
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        backends = {"sqlite": f"sqlite:///{scratch}/bench.sqlite", "postgresql": postgres_urls("common_ground_bench")[0]}
        for backend, url in backends.items():
            rows += measure(backend, url, courses_dir, pages, Path(scratch))
    print_table(
        ["database", "page", "server", "req/s (median)", "p50 ms", "p95 ms", "errors", "SQL per view", "app / naive by round"], rows
    )
    rate = {(row[0], row[1], row[2]): row[3] for row in rows}
    for backend in backends:
        for page in pages:
            name = names[page]
            figure(f"{name}_vs_naive_{backend}", rate[backend, page, "app"] / rate[backend, page, "naive"], ">=", GOALS["naive"])
        figure(f"lesson_vs_bare_{backend}", rate[backend, "lesson", "app"] / rate[backend, "lesson", "bare"], ">=", GOALS["bare"])


if __name__ == "__main__":
    main()
