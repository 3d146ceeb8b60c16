"""How fast can any route through Python's sqlite3 put the nightly's 1M `CustomerValue` rows in SQLite?

    TENURE_HOME=/tmp/bh .venv/bin/tenure bench pipeline --customers 1000000 --json
    .venv/bin/python bench/bench_sqlite_publish.py --home /tmp/bh/bench/pipeline-1000000-13 \
        --out bench/results/sqlite-publish-1000000.json

Reads the `customer_values` output of the benchmark's nightly and the table's DDL from its DB,
then writes the rows into fresh databases (WAL, synchronous=NORMAL, as the app's) by four routes,
each `--repeat` times, alternating:

* `upsert`: the statement `tenure.lake.upsert` runs (INSERT … ON CONFLICT DO UPDATE, one row per
  `executemany` call, decimals and dates as Arrow-made text) into the real table with its
  secondary indexes set aside and built after, as the first publish does;
* `bare`: plain INSERT into an in-memory table with no types, constraints or indexes (the
  baseline: what is left is Python binding the values and SQLite storing them);
* `multirow`: INSERT … VALUES (…), (…), … with as many rows per statement as SQLite's 32,766
  parameters allow;
* `json_each`: DuckDB writes each 100,000-row batch as one JSON array and SQLite inserts it with
  `json_each` (no Python object per value).

The question it answers for issue 5: the ratio goal (nightly ≤ 5 × the floor) leaves the whole
1M nightly about 23–29 s on these machines; this is the part of it no pipeline change removes.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sqlite3
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

TABLE = "analytics_customervalue"


def _texted(table: pa.Table) -> pa.Table:
    """Decimals and dates as text, as `tenure.lake.upsert` hands them over."""
    kinds = (pa.types.is_decimal, pa.types.is_date)
    columns = [c.cast(pa.string()) if any(k(c.type) for k in kinds) else c for c in table.columns]
    return pa.table(columns, names=table.column_names)


def _fresh(path: str) -> sqlite3.Connection:
    for old in glob.glob(path + "*"):
        os.remove(old)
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    return con


def _timed(write) -> float:
    started = time.perf_counter()
    write()
    return round(time.perf_counter() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, required=True, help="a `tenure bench pipeline` home after its nightly")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    source = next((args.home / "analytics" / "customer_values").glob("business_date=*/data.parquet"))
    rows = _texted(pq.read_table(source).replace_schema_metadata(None))
    app_db = sqlite3.connect(args.home / "tenure.sqlite3")
    ddl = app_db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [TABLE]).fetchone()[0]
    indexes = [
        s
        for (s,) in app_db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", [TABLE]
        )
    ]
    columns = rows.column_names
    names = ", ".join(f'"{c}"' for c in columns)
    one_row = f"({', '.join('?' * len(columns))})"
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != "customer_no")
    path = str(Path(os.environ.get("TMPDIR", "/tmp")) / "bench-sqlite-publish.db")

    def batches(size: int):
        for chunk in rows.to_batches(max_chunksize=size):
            yield zip(*(column.to_pylist() for column in chunk.columns), strict=True)

    def upsert() -> None:
        con = _fresh(path)
        con.execute(ddl)
        sql = f'INSERT INTO {TABLE} ({names}) VALUES {one_row} ON CONFLICT ("customer_no") DO UPDATE SET {updates}'
        con.execute("BEGIN")
        for batch in batches(10_000):
            con.executemany(sql, batch)
        for index in indexes:
            con.execute(index)
        con.execute("COMMIT")

    def bare() -> None:
        con = sqlite3.connect(":memory:", isolation_level=None)
        con.execute(f"CREATE TABLE {TABLE} ({names})")
        con.execute("BEGIN")
        for batch in batches(10_000):
            con.executemany(f"INSERT INTO {TABLE} ({names}) VALUES {one_row}", batch)
        con.execute("COMMIT")

    def multirow() -> None:
        con = _fresh(path)
        con.execute(re.sub(r" CHECK \([^)]*\)", "", ddl))
        per_statement = 32_766 // len(columns)
        con.execute("BEGIN")
        for batch in batches(per_statement):
            values = [v for row in batch for v in row]
            count = len(values) // len(columns)
            con.execute(f"INSERT INTO {TABLE} ({names}) VALUES {', '.join([one_row] * count)}", values)
        con.execute("COMMIT")

    def json_each() -> None:
        con = _fresh(path)
        con.execute(ddl)
        duck = duckdb.connect()
        duck.register("source_rows", rows)
        picks = ", ".join(f"value ->> {i}" for i in range(len(columns)))
        con.execute("BEGIN")
        for offset in range(0, rows.num_rows, 100_000):
            text = duck.execute(
                f"SELECT json_group_array(json_array({names}))::VARCHAR FROM "
                f"(SELECT * FROM source_rows LIMIT 100000 OFFSET {offset})"
            ).fetchone()[0]
            con.execute(f"INSERT INTO {TABLE} ({names}) SELECT {picks} FROM json_each(?)", [text])
        con.execute("COMMIT")

    routes = {"upsert": upsert, "bare": bare, "multirow": multirow, "json_each": json_each}
    runs: dict[str, list[float]] = {name: [] for name in routes}
    for _ in range(args.repeat):
        for name, write in routes.items():
            runs[name].append(_timed(write))
    best = {name: min(times) for name, times in runs.items()}
    result = {
        "rows": rows.num_rows,
        "columns": len(columns),
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
        "seconds": best,
        "runs": runs,
        "ratio_to_bare": {name: round(best[name] / best["bare"], 2) for name in routes},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
