"""Benchmark the transaction summaries (docs/features.md § Transaction summaries).

    .venv/bin/python bench/bench_summaries.py                      # 50,000 customers, 4 and 20 transactions a month
    .venv/bin/python bench/bench_summaries.py --customers 100000 --density 4

For each density (transactions per customer and month), writes the benchmark's synthetic lake of
13 month-ends (`tenure.analytics.benchmark.write_synthetic_lake`) into a fresh TENURE_HOME, then
times, in the same process and alternating, the nightly's transaction features for the last date
(`features._transactions`, materialised) read from the summaries and from raw rows alone (every
partition treated as unsummarised: the fallback for a lake without summaries), and writing one
month's summaries (`summaries.summary_tables`). Prints one JSON document and writes
bench/results/summaries.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "summaries.json"
ROUNDS = 3


def measure(customers: int, density: int) -> dict:
    """Runs in a child process with its own TENURE_HOME (see main)."""
    import django

    django.setup()
    import pyarrow.parquet as pq

    from tenure import lake
    from tenure.analytics import features
    from tenure.analytics.benchmark import LAST_DATE, write_synthetic_lake
    from tenure.analytics.engine import materialize, release
    from tenure.core.database import migrate_pending
    from tenure.ingest import summaries

    migrate_pending()
    rows = write_synthetic_lake(customers, 13, txns_per_customer_month=density)
    every = summaries.partitions

    def raw_only(**kwargs):
        return [summaries.Partition(p.day, p.raw, None) for p in every(**kwargs)]

    def transactions_part(partitions) -> float:
        summaries.partitions = partitions
        con = lake.connect("duckdb")
        _, _, accounts = features._dimensions(con, LAST_DATE)
        accounts = materialize(con, accounts)
        started = time.perf_counter()
        activity, payroll = features._transactions(con, features.Dates.for_day(LAST_DATE), accounts)
        materialize(con, activity), materialize(con, payroll)
        seconds = time.perf_counter() - started
        release(con)
        return round(seconds, 3)

    timings: dict[str, list[float]] = {"summaries": [], "raw": []}
    with lake.pinned_partitions(("customers", "products", "accounts", "balances", "transactions")):
        for _ in range(ROUNDS):
            timings["summaries"].append(transactions_part(every))
            timings["raw"].append(transactions_part(raw_only))
        summaries.partitions = every
        month = pq.read_table(lake.partition_file("transactions", LAST_DATE))
        started = time.perf_counter()
        tables = summaries.summary_tables(month)
        write_seconds = time.perf_counter() - started
    return {
        "customers": customers,
        "transactions_per_customer_month": density,
        "transactions": rows,
        "month_rows": month.num_rows,
        "month_summary_rows": {name: t.num_rows for name, t in tables.items()},
        "summarise_one_month_seconds": round(write_seconds, 3),
        "transaction_features_seconds": {k: min(v) for k, v in timings.items()},
        "transaction_features_seconds_runs": timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--density", type=int, action="append", help="transactions per customer and month")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    densities = args.density or [4, 20]
    if args.child:
        print(json.dumps(measure(args.customers, densities[0])))
        return
    runs = []
    for density in densities:
        with tempfile.TemporaryDirectory() as home:
            env = os.environ | {"TENURE_HOME": home, "DJANGO_SETTINGS_MODULE": "tenure.settings"}
            env.pop("DATABASE_URL", None)
            cmd = [sys.executable, __file__, "--child", "--customers", str(args.customers), "--density", str(density)]
            out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
    result = {
        "benchmark": "transaction summaries",
        "measured_on": dt.date.today().isoformat(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "runs": runs,
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
