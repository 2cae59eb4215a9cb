"""Lesson page throughput under gunicorn (4 workers) against a bare Flask app serving the
same bytes under the same settings, on a SQLite file and on PostgreSQL.

Only a learner's first view of the lesson writes a progress row (record_view inserts with
ON CONFLICT DO NOTHING and the view commits only when a row went in), so after the warm-up
every timed view is read-only. Each client thread is
its own logged-in learner on 127.0.0.1 and the clients send a fixed number of requests
(or stop at a time limit). The two servers take turns; the ratio is of median rounds.
"""

import http.client
import tempfile
import threading
import time
from pathlib import Path

from bench.common import (
    PASSWORD, app_env, bench_database, client_login, figure, gunicorn, http_login, lesson_under_test, median,
    percentile, postgres_urls, print_table, queries_for,
)

CLIENTS = 8
REQUESTS = {"app": 400, "bare": 2000}  # per round; the bare app is many times faster
ROUNDS = 3
TIME_LIMIT = 30  # seconds per round at most
GOAL = 0.6


def hammer(port: int, path: str, cookies: list[str], requests: int) -> tuple[float, list[float], int]:
    """One round: (requests per second, latencies of 200 answers, count of other answers)."""
    latencies, failures = [], []
    sent = iter(range(requests))
    deadline = time.perf_counter() + TIME_LIMIT

    def client(cookie):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIME_LIMIT)
        while next(sent, None) is not None and time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            (latencies if ok else failures).append(time.perf_counter() - started)
        connection.close()

    threads = [threading.Thread(target=client, args=(cookie,)) for cookie in cookies]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - started), latencies, len(failures)


def measure(backend: str, url: str, courses_dir: str, path: str, scratch: Path) -> list[list]:
    app, emails = bench_database(url, courses_dir, CLIENTS)
    queries = queries_for(app, client_login(app, emails[0], PASSWORD), path)
    env = app_env(url, courses_dir)
    with gunicorn("lms:create_app()", env) as app_port:
        cookies = [http_login(app_port, email, PASSWORD) for email in emails]
        page = http.client.HTTPConnection("127.0.0.1", app_port)
        page.request("GET", path, headers={"Cookie": cookies[0]})
        (scratch / "page.html").write_bytes(page.getresponse().read())
        with gunicorn("bench.bare_app:app", {**env, "BENCH_BARE_BODY": str(scratch / "page.html")}) as bare_port:
            ports = {"app": app_port, "bare": bare_port}
            for port in ports.values():  # warm up every worker
                hammer(port, path, cookies, 10 * CLIENTS)
            rounds = {"app": [], "bare": []}
            for _ in range(ROUNDS):
                for name, port in ports.items():
                    rounds[name].append(hammer(port, path, cookies, REQUESTS[name]))
    rows = []
    for name, results in rounds.items():
        latencies = [latency for _, round_latencies, _ in results for latency in round_latencies]
        rows.append([backend, name, median(r[0] for r in results), 1000 * percentile(latencies, 0.5),
                     1000 * percentile(latencies, 0.95), sum(r[2] for r in results), queries if name == "app" else 0])
    return rows


def main():
    courses_dir, slug, lesson_id = lesson_under_test()
    path = f"/learn/courses/{slug}/lessons/{lesson_id}"
    print(f"lesson_throughput: GET {path} ({courses_dir}), {CLIENTS} clients (one learner each), "
          f"gunicorn --workers 4, {ROUNDS} rounds of {REQUESTS['app']} (app) / {REQUESTS['bare']} (bare) requests\n")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        backends = {"sqlite": f"sqlite:///{scratch}/bench.sqlite", "postgresql": postgres_urls("common_ground_bench")[0]}
        for backend, url in backends.items():
            rows += measure(backend, url, courses_dir, path, Path(scratch))
    print_table(["database", "server", "req/s (median)", "p50 ms", "p95 ms", "errors", "SQL per view"], rows)
    for backend in backends:
        app_rps, bare_rps = (row[2] for row in rows if row[0] == backend)
        figure(f"lesson_throughput_ratio_{backend}", app_rps / bare_rps, ">=", GOAL)


if __name__ == "__main__":
    main()
