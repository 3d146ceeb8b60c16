"""Benchmark `tenure scorecards --month YYYY-MM`: one month's RM and branch scorecards and service stars.

    .venv/bin/python bench/bench_scorecards.py                          # 1M customers × 7 months
    .venv/bin/python bench/bench_scorecards.py --customers 100000 --no-save

Generates the synthetic bank with `tenure generate` (7 month-ends: the churn rule's look-back of
6 months before the month scored), imports it and runs the nightly (the contact-plan coverage reads
the published tiers), all as child processes against a fresh TENURE_HOME (SQLite). Then times
`tenure scorecards --month <last month> --json` in its own process: wall seconds, peak RSS, and the
command's own split (`seconds`: computing the lines, storing them). The goal (issue 26) is ≤ 30 s
for 1,000,000 customers and about 2,000 RMs. Prints one JSON document and writes
bench/results/scorecards.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import child  # noqa: E402  (one way to run a timed `tenure` child process)

GOAL_SECONDS = 30
END = "2026-03-31"
RESULTS = Path(__file__).resolve().parent / "results" / "scorecards.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=7)
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temp dir, removed)")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/scorecards.json")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="tenure-bench-scorecards-"))
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, TENURE_HOME=str(work / "home"))
    env.pop("DATABASE_URL", None)
    bank = work / "bank"
    setup = {}
    steps = {
        "generate": [
            "generate",
            "--customers",
            str(args.customers),
            "--months",
            str(args.months),
            "--end-date",
            END,
            "--out",
            str(bank),
            "--json",
        ],
        "import": ["import", str(bank), "--json"],
        "nightly": ["nightly", "--json"],
    }
    for name, cmd in steps.items():
        _, seconds, _ = child(cmd, env, work / name)
        setup[f"{name}_seconds"] = round(seconds, 1)
    month = END[:7]
    text, wall, rss = child(["scorecards", "--month", month, "--json"], env, work / "scorecards")
    summary = json.loads(text.strip().splitlines()[-1])
    result = {
        "benchmark": "tenure scorecards",
        "goal": {"seconds": GOAL_SECONDS, "at": "1,000,000 customers, about 2,000 RMs"},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "measured_on": time.strftime("%Y-%m-%d"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "month": month,
        "customers": summary["customers"],
        "staff": summary["staff"],
        "branches": len(summary["branches"]),
        "wall_seconds": round(wall, 2),
        "command_seconds": summary["seconds"],
        "peak_rss_mb": round(rss),
        "setup": setup,
        "meets_goal": wall <= GOAL_SECONDS,
    }
    if not args.no_save:
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
