"""Benchmark `tenure generate`: wall time and peak RSS of the generator process.

    .venv/bin/python bench/bench_generate.py                      # 100k and 1M customers × 13 months
    .venv/bin/python bench/bench_generate.py --customers 20000    # any sizes

Each size runs `python -m tenure.cli generate … --json` as a child process; its peak RSS comes
from the kernel's accounting of that child (os.wait4, the per-child form of
getrusage(RUSAGE_CHILDREN)). The output is deleted afterwards unless --keep (1M × 13 is ~9 GB).
The machine is shared, so the load average before and after each run is recorded too.
Prints one JSON document and writes it to bench/results/generate.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 300
GOAL_RSS_MB = 4096
RESULTS = Path(__file__).resolve().parent / "results" / "generate.json"


def run(customers: int, months: int, seed: int, work: Path, keep: bool) -> dict:
    out = work / f"bank-{customers}x{months}"
    cmd = [sys.executable, "-m", "tenure.cli", "generate", "--customers", str(customers), "--months", str(months)]
    cmd += ["--seed", str(seed), "--out", str(out), "--end-date", "2026-03-31", "--json"]
    log_out, log_err = work / f"{out.name}.out", work / f"{out.name}.err"
    load_before = os.getloadavg()
    started = time.perf_counter()
    with open(log_out, "w") as fout, open(log_err, "w") as ferr:
        child = subprocess.Popen(cmd, stdout=fout, stderr=ferr)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak RSS and CPU time
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    stdout, stderr = log_out.read_text(), log_err.read_text()
    if child.returncode != 0:
        raise SystemExit(f"generate failed ({status}):\n{stderr[-2000:]}")
    summary = json.loads(stdout.strip().splitlines()[-1])
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    if not keep:
        shutil.rmtree(out)
    rows = summary["rows"]
    rss_mb = usage.ru_maxrss / 1024
    return {
        "customers": customers,
        "months": months,
        "seed": seed,
        "wall_seconds": round(wall, 1),
        "generator_seconds": summary["seconds"],
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(rss_mb),
        "rows": rows,
        "transactions_per_second": round(rows["transactions"] / wall),
        "output_gb": round(size / 1e9, 2),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "meets_goal": wall <= GOAL_SECONDS and rss_mb <= GOAL_RSS_MB,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=None, help="where to write the banks (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/generate.json")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="tenure-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    runs = [run(n, args.months, args.seed, work, args.keep) for n in args.customers]
    result = {
        "benchmark": "tenure generate",
        "goal": {"wall_seconds": GOAL_SECONDS, "peak_rss_mb": GOAL_RSS_MB, "at": "1,000,000 customers × 13 months"},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "measured_on": time.strftime("%Y-%m-%d"),
        "runs": runs,
    }
    if not args.keep and args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
