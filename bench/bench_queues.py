"""Benchmark the queue analysis (docs/queues.md) over ten million synthetic tickets.

    .venv/bin/python bench/bench_queues.py                   # 10,000,000 tickets (builds once, then measures)
    .venv/bin/python bench/bench_queues.py --tickets 500000  # a quick run

Build (once per size, kept under --home, default /tmp/bench-queues-<N>): one lake partition of
`queue_tickets` written with pyarrow through `lake.write_partition`, all tickets in one month so
that the month's analysis reads every one of them: 300 sub-branches, 09:00–17:00 on weekdays and
fewer on weekends, six service types, 40 % of tickets with one of 1,000,000 customer numbers, 4 %
walk-aways, waits and service times drawn from exponential and gamma laws. A published-tier table
of the identified customers (0.1 % diamond, 0.3 % black-gold, 3 % platinum, 12 % gold, the rest
standard; 1 % key layer) stands in for `CustomerValue`.

Measured, in this process, with DuckDB on every core (`compute.analyse`, what the page runs):

* ``bank``: the head-office view: totals, every branch, the weekday × hour heat map, tiers (the
  join with the tier table), key customers against others, service types (wall, CPU, peak RSS);
* ``branch``: one city branch's subtree (30 sub-branches);
* ``monthly``: `compute.monthly` for the bank (what `selectors.monthly_waits` runs);
* ``baseline``: one bare scan reading every column the analysis reads (the floor).

Goal (issue 26): the analysis of 10,000,000 tickets ≤ 20 s. Prints one JSON document and writes it
to bench/results/queues.json (or --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 20
SUBS = 300
CUSTOMERS = 1_000_000
MONTH = dt.date(2026, 10, 1)
DAY = dt.date(2026, 10, 31)
SERVICE_TYPES = ("cash", "account", "wealth", "loan", "card", "enquiry")


def _django(home: Path) -> None:
    os.environ["TENURE_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tenure.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _codes() -> list[str]:
    return [f"B{b + 1:02d}S{s + 1:02d}" for b in range(SUBS // 30) for s in range(30)]


def build(n: int) -> tuple[pa.Table, pa.Table]:
    """The month's tickets and the tier table of the identified customers."""
    rng = np.random.default_rng(26)
    days = np.array([(MONTH + dt.timedelta(days=k)) for k in range(31)], dtype="datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7
    day_weight = np.where(weekday >= 5, 0.3, np.where(weekday == 0, 1.3, 1.0))
    day = rng.choice(len(days), n, p=day_weight / day_weight.sum())
    hour_weight = np.array([4.0, 3.0, 2.6, 3.6, 3.2, 2.4, 2.6, 3.0])
    hour = 9 + rng.choice(8, n, p=hour_weight / hour_weight.sum())
    issued = days.astype("datetime64[s]").astype(np.int64)[day] + hour * 3600 + rng.integers(0, 3600, n)
    wait = rng.exponential(np.where((hour == 12) | (hour == 13), 600.0, 400.0)).astype(np.int64)
    walked = rng.random(n) < 0.04
    service = (rng.gamma(2.0, 300.0, n) + 30).astype(np.int64)
    limit = (issued // 86400) * 86400 + 86399
    called = np.minimum(issued + wait, limit)
    finished = np.minimum(called + service, limit)
    known = rng.random(n) < 0.4
    customer = rng.integers(0, CUSTOMERS, n)
    numbers = pc.binary_join_element_wise(
        "C", pc.utf8_lpad(pc.cast(pa.array(customer), pa.string()), width=9, padding="0"), ""
    )
    seq = np.arange(n) % 1000
    codes = pa.array(_codes())
    tickets = pa.table(
        {
            "branch_code": pa.DictionaryArray.from_arrays(
                pa.array(rng.integers(0, SUBS, n).astype(np.int32)), codes
            ).dictionary_decode(),
            "ticket_no": pc.binary_join_element_wise(
                "A", pc.utf8_lpad(pc.cast(pa.array(seq), pa.string()), width=3, padding="0"), ""
            ),
            "service_type": pa.DictionaryArray.from_arrays(
                pa.array(rng.integers(0, len(SERVICE_TYPES), n).astype(np.int8)), pa.array(SERVICE_TYPES)
            ).dictionary_decode(),
            "customer_no": pc.if_else(pa.array(known), numbers, pa.scalar(None, pa.string())),
            "issued_at": pa.array(issued, pa.timestamp("s")),
            "called_at": pa.array(called, pa.timestamp("s"), mask=walked),
            "finished_at": pa.array(finished, pa.timestamp("s"), mask=walked),
        }
    )
    u = rng.random(CUSTOMERS)
    tiers = np.select(
        [u < 0.001, u < 0.004, u < 0.034, u < 0.154], ["diamond", "black_gold", "platinum", "gold"], "standard"
    )
    key_layer = (rng.random(CUSTOMERS) < 0.01) & (u >= 0.004)
    tiers = np.where(key_layer, "key_layer", tiers)
    all_numbers = pc.binary_join_element_wise(
        "C", pc.utf8_lpad(pc.cast(pa.array(np.arange(CUSTOMERS)), pa.string()), width=9, padding="0"), ""
    )
    return tickets, pa.table({"customer_no": all_numbers, "tier": pa.array(tiers.tolist(), pa.string())})


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, {"seconds": round(time.perf_counter() - wall, 2), "cpu_seconds": round(time.process_time() - cpu, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000_000)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    home = args.home or Path(f"/tmp/bench-queues-{args.tickets}")
    home.mkdir(parents=True, exist_ok=True)
    _django(home)
    from tenure import lake
    from tenure.queues import compute

    started = time.perf_counter()
    path = lake.partition_file("queue_tickets", DAY)
    built = path.exists()
    tickets, tiers = build(args.tickets)
    if not built:
        lake.write_partition("queue_tickets", DAY, tickets, "bench")
    build_seconds = round(time.perf_counter() - started, 2)
    rows = tickets.num_rows
    del tickets
    start = dt.datetime.combine(MONTH, dt.time())
    end = dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time())
    files = [path]
    con = lake.duckdb_connect()
    floor = (
        "SELECT count(customer_no), max(branch_code), max(service_type), max(issued_at), max(called_at),"
        f" max(finished_at) FROM read_parquet('{path}')"
    )
    _, baseline = _timed(lambda: con.execute(floor).fetchall())
    keys = ("diamond", "black_gold", "key_layer")
    bank, bank_t = _timed(
        lambda: compute.analyse(files, start, end, branch_codes=None, target_minutes=15, tiers=tiers, key_tiers=keys)
    )
    branch_codes = [c for c in _codes() if c.startswith("B01")]
    branch, branch_t = _timed(
        lambda: compute.analyse(
            files, start, end, branch_codes=branch_codes, target_minutes=15, tiers=tiers, key_tiers=keys
        )
    )
    monthly, monthly_t = _timed(lambda: compute.monthly(files, start, end, branch_codes=None, target_minutes=15))
    result = {
        "benchmark": "queues",
        "tickets": rows,
        "branches": SUBS,
        "customers": CUSTOMERS,
        "partition_mb": round(path.stat().st_size / 1e6, 1),
        "build_seconds": build_seconds if not built else None,
        "baseline": baseline,
        "bank": bank_t
        | {
            "tickets": bank.total["tickets"],
            "p50_wait_minutes": round(bank.total["p50_wait"], 2),
            "p90_wait_minutes": round(bank.total["p90_wait"], 2),
            "within_15_minutes": round(bank.total["within"], 4),
            "heat_cells": len(bank.heat),
            "tiers": len(bank.tiers),
        },
        "branch": branch_t | {"tickets": branch.total["tickets"], "branches": len(branch.branches)},
        "monthly": monthly_t | {"months": len(monthly)},
        "peak_rss_mb": _rss_mb(),
        "load_average_1m": round(os.getloadavg()[0], 2),  # the machine is shared: wall time follows its load
        "goal_seconds": GOAL_S,
        "goal_met": bank_t["seconds"] <= GOAL_S,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    out = args.out or ROOT / "bench" / "results" / "queues.json"
    if args.tickets == 10_000_000 or args.out:
        out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
