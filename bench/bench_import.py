"""Benchmark `tenure import`: validated transactions rows/s, against DuckDB's and Arrow's own CSV→Parquet.

    .venv/bin/python bench/bench_import.py                               # 1M customers × 13 months
    .venv/bin/python bench/bench_import.py --customers 100000 --months 3
    .venv/bin/python bench/bench_import.py --extract DIR                 # an extract already on disk

Generates the bank with `tenure generate` (unless --extract), then runs `tenure migrate` and
`tenure import DIR --json` as child processes against a fresh TENURE_HOME (SQLite). The import's
own summary gives the transactions rows and the seconds spent reading, validating and writing
them (`rows_per_second`); its peak RSS comes from os.wait4. In the same run, every
transactions.csv is then converted to Parquet by DuckDB (`COPY (SELECT * FROM read_csv(…)) TO …
(COMPRESSION zstd)`, type inference, no checks) and by Arrow (`read_csv` + `write_table`): the
floor a validating import can approach. `ratio_to_duckdb` = import seconds for transactions /
DuckDB seconds; `cpu_ratio_*` compare CPU seconds instead, which other users' load on a shared
machine distorts far less than wall time.
Prints one JSON document and writes bench/results/import.json.
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

import duckdb
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

GOAL_ROWS_PER_SECOND = 200_000
RESULTS = Path(__file__).resolve().parent / "results" / "import.json"


def child(cmd: list[str], env: dict, log: Path) -> tuple[str, float, float]:
    """Run a `tenure` child process; its stdout, wall seconds and peak RSS in MB."""
    started = time.perf_counter()
    with open(log.with_suffix(".out"), "w") as out, open(log.with_suffix(".err"), "w") as err:
        process = subprocess.Popen([sys.executable, "-m", "tenure.cli", *cmd], stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{log.with_suffix('.err').read_text()[-3000:]}")
    return log.with_suffix(".out").read_text(), wall, usage.ru_maxrss / 1024


def baselines(files: list[Path], work: Path) -> dict:
    """DuckDB's and Arrow's own CSV→Parquet conversion of the same files, timed in this process
    (wall, and CPU summed over the threads DuckDB and Arrow run here)."""
    out = work / "baseline.parquet"

    def duck(path: Path) -> None:
        duckdb.sql(f"COPY (SELECT * FROM read_csv('{path}')) TO '{out}' (FORMAT parquet, COMPRESSION zstd)")

    def arrow(path: Path) -> None:
        pq.write_table(pa_csv.read_csv(path), out, compression="zstd")

    result = {}
    for name, convert in (("duckdb", duck), ("arrow", arrow)):
        wall, cpu = time.perf_counter(), time.process_time()
        for path in files:
            convert(path)
        result[f"{name}_seconds"] = round(time.perf_counter() - wall, 2)
        result[f"{name}_cpu_seconds"] = round(time.process_time() - cpu, 2)
    out.unlink(missing_ok=True)
    return result


def _customers(extract: Path, generated: dict | None) -> int | None:
    """Customers of the bank: from the generator's summary, or its manifest in an existing extract."""
    if generated:
        return generated["customers"]
    manifest = extract / "truth" / "manifest.json"
    return json.loads(manifest.read_text())["customers"] if manifest.exists() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--extract", type=Path, default=None, help="import this extract instead of generating one")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temp dir, removed)")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/import.json")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="tenure-bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, TENURE_HOME=str(work / "home"))
    env.pop("DATABASE_URL", None)
    extract = args.extract
    generated = None
    if extract is None:
        extract = work / "bank"
        cmd = ["generate", "--customers", str(args.customers), "--months", str(args.months), "--seed", str(args.seed)]
        text, seconds, _ = child([*cmd, "--end-date", "2026-03-31", "--out", str(extract), "--json"], env, work / "gen")
        generated = {"seconds": round(seconds, 1), **json.loads(text.splitlines()[-1])}
    child(["migrate", "-v0"], env, work / "migrate")
    if not (work / "home" / "keys" / "field.key").exists():  # a --work folder of an earlier run has one
        child(["keys", "init"], env, work / "keys")
    load_before = os.getloadavg()
    text, wall, rss_mb = child(["import", str(extract), "--json"], env, work / "import")
    summary = json.loads(text.splitlines()[-1])
    load_after = os.getloadavg()
    files = sorted(extract.glob("*/transactions.csv"))
    floor = baselines(files, work)
    rows = summary["written"]["transactions"]
    txn_seconds = summary["seconds_per_table"]["transactions"]
    txn_cpu = summary["cpu_seconds_per_table"]["transactions"]
    result = {
        "benchmark": "tenure import",
        "goal": {"transactions_rows_per_second": GOAL_ROWS_PER_SECOND},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "measured_on": time.strftime("%Y-%m-%d"),
        "customers": _customers(extract, generated),
        "months": len(summary["dates"]),
        "transactions_rows": rows,
        "transactions_csv_gb": round(sum(p.stat().st_size for p in files) / 1e9, 2),
        "transactions_seconds": round(txn_seconds, 2),
        "transactions_rows_per_second": summary["rows_per_second"],
        "transactions_cpu_seconds": txn_cpu,
        **floor,
        "ratio_to_duckdb": round(txn_seconds / floor["duckdb_seconds"], 2),
        "ratio_to_arrow": round(txn_seconds / floor["arrow_seconds"], 2),
        "cpu_ratio_to_duckdb": round(txn_cpu / floor["duckdb_cpu_seconds"], 2),
        "cpu_ratio_to_arrow": round(txn_cpu / floor["arrow_cpu_seconds"], 2),
        "import_wall_seconds": round(wall, 1),
        "import_peak_rss_mb": round(rss_mb),
        "written": summary["written"],
        "seconds_per_table": summary["seconds_per_table"],
        # Of the transactions' seconds: writing their summaries (docs/features.md § Summaries).
        "transactions_summary_seconds": summary["summary_seconds"],
        "transactions_rows_per_second_without_summaries": round(
            rows / max(txn_seconds - summary["summary_seconds"], 1e-9)
        ),
        "cpu_seconds_per_table": summary["cpu_seconds_per_table"],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "generated": generated,
        "meets_goal": summary["rows_per_second"] >= GOAL_ROWS_PER_SECOND,
    }
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
