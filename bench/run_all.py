"""Run every benchmark, each in its own process, then print all figures in one table.

Exits non-zero when a benchmark fails to run, not when a figure misses its goal.
"""

import re
import subprocess
import sys
import time

from bench.common import ROOT, print_table

# Add new benchmarks here (module names in bench/).
BENCHMARKS = [
    "lesson_throughput",
    "startup",
    "page_weight",
    "scale",
    "agency_growth",
    "pdf_cost",
    "supervisor_matrix",
    "certificate_pdf",
    "certificate_export",
    "pdf_load",
]

FIGURE = re.compile(r"^figure: (\S+) value=(\S+) goal(\S+) (ok|MISS)$")


def run(name: str) -> tuple[list[list[str]], float, int]:
    """Stream one benchmark's output; return its figure rows, seconds and exit code."""
    print(f"==> bench.{name}", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", f"bench.{name}"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    rows = []
    for line in process.stdout:
        print(line, end="", flush=True)
        if match := FIGURE.match(line.strip()):
            rows.append([name, *match.groups()])
    return rows, time.perf_counter() - started, process.wait()


def main():
    started = time.perf_counter()
    rows, failed = [], []
    for name in BENCHMARKS:
        figures, seconds, code = run(name)
        rows += figures
        print(f"<== bench.{name}: {seconds:.0f} s{'' if code == 0 else f', FAILED (exit {code})'}\n", flush=True)
        if code or not figures:
            failed.append(name)
    print("All figures (ratios and sizes against baselines measured in the same run):\n")
    print_table(["benchmark", "figure", "value", "goal", "result"], rows)
    print(
        f"{sum(r[-1] == 'ok' for r in rows)} ok, {sum(r[-1] == 'MISS' for r in rows)} MISS, "
        f"{len(failed)} benchmark(s) failed{': ' + ', '.join(failed) if failed else ''}; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
