"""Benchmark `tenure scorecards --month YYYY-MM`: one month's RM and branch scorecards and service stars.

    .venv/bin/python bench/bench_scorecards.py                          # 1M customers × 7 months
    .venv/bin/python bench/bench_scorecards.py --customers 100000 --no-save
    git archive b701e57 | tar -x -C /tmp/before                         # the code to compare with
    .venv/bin/python bench/bench_scorecards.py --work /tmp/bank1m --baseline /tmp/before

Generates the synthetic bank with `tenure generate` (7 month-ends: the churn rule's look-back of
6 months before the month scored), imports it and runs the nightly (the contact-plan coverage reads
the published tiers), all as child processes against TENURE_HOME=<work>/home (SQLite). With
`--work` the folder is kept, and a folder whose bank is already built is used again (the set-up
takes half an hour at 1M). Then times `tenure scorecards --month <last month> --json` in its own
process: wall seconds, peak RSS, and the command's own split (`seconds`: computing the lines,
storing them). `--baseline DIR`: the bank is built by an older source tree (`PYTHONPATH=DIR`; the
children run from the work folder, so the checkout's own tree is not on the path), its command is
timed first, then `tenure migrate` of the current code (not timed), then the current code; the
result carries both and whether their JSON lines (timings aside) are identical. (A bank built by
the current code has dropped the old `ScorecardLine` table: the old command fails on it.)
The goal (issue 26) is ≤ 30 s for 1,000,000 customers and about 2,000 RMs. Prints one JSON
document and writes bench/results/scorecards.json.
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


def _setup(args: argparse.Namespace, work: Path, env: dict) -> dict:
    """Build the bank unless `work` holds one already built; the set-up's seconds either way."""
    done = work / "setup.json"
    if done.exists():
        return json.loads(done.read_text())
    bank = work / "bank"
    steps = {
        "generate": ["generate", "--customers", str(args.customers), "--months", str(args.months)],
        "import": ["import", str(bank), "--json"],
        "nightly": ["nightly", "--json"],
    }
    steps["generate"] += ["--end-date", END, "--out", str(bank), "--json"]
    setup = {}
    for name, cmd in steps.items():
        _, seconds, _ = child(cmd, env, work / name)
        setup[f"{name}_seconds"] = round(seconds, 1)
    done.write_text(json.dumps(setup))
    return setup


def _timed(env: dict, work: Path, name: str, month: str) -> tuple[dict, dict]:
    """One timed `tenure scorecards --month M --json`: (its JSON line, the measures)."""
    load = [round(x, 2) for x in os.getloadavg()]
    text, wall, rss = child(["scorecards", "--month", month, "--json"], env, work / name)
    summary = json.loads(text.strip().splitlines()[-1])
    measures = {
        "wall_seconds": round(wall, 2),
        "command_seconds": summary["seconds"],
        "peak_rss_mb": round(rss),
        "load_average_before": load,
    }
    return summary, measures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=7)
    parser.add_argument("--work", type=Path, default=None, help="work folder, kept and reused (default: a temp dir)")
    parser.add_argument("--baseline", type=Path, default=None, help="an older source tree to time first")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/scorecards.json")
    args = parser.parse_args()
    work = (args.work or Path(tempfile.mkdtemp(prefix="tenure-bench-scorecards-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    os.chdir(work)  # `python -m` puts the working folder first on the path: not a source tree
    env = dict(os.environ, TENURE_HOME=str(work / "home"))
    env.pop("DATABASE_URL", None)
    env.pop("PYTHONPATH", None)
    old_env = dict(env, PYTHONPATH=str(args.baseline.resolve())) if args.baseline is not None else None
    setup = _setup(args, work, old_env or env)  # the baseline's schema: its command must find its tables
    month = END[:7]
    before = None
    if old_env is not None:
        old_summary, before = _timed(old_env, work, "scorecards-baseline", month)
        child(["migrate"], env, work / "migrate")
    summary, measures = _timed(env, work, "scorecards", month)
    result = {
        "benchmark": "tenure scorecards",
        "command": f"tenure scorecards --month {month} --json",
        "goal": {"seconds": GOAL_SECONDS, "at": "1,000,000 customers, about 2,000 RMs"},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "measured_on": time.strftime("%Y-%m-%d"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "month": month,
        "customers": summary["customers"],
        "staff": summary["staff"],
        "branches": len(summary["branches"]),
        **measures,
        "setup": setup,
        "meets_goal": measures["wall_seconds"] <= GOAL_SECONDS,
    }
    if before is not None:
        same = {k: v for k, v in old_summary.items() if k != "seconds"} == {
            k: v for k, v in summary.items() if k != "seconds"
        }
        result["baseline"] = {"source": str(args.baseline), **before, "json_identical": same}
    if not args.no_save:
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
