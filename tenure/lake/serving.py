"""A read-optimised copy of the lake's balances and transactions, for per-customer pages.

The lake is laid out for the nightly pipeline: one file per business date, rows in import order,
row groups of a million rows. One customer's 13 month-ends or latest transactions would mean
scanning millions of rows per file. This copy holds every current partition of a table in one
Parquet file sorted by account (then date or time) with small row groups, so a lookup reads one
or two row groups thanks to their min/max statistics.

It is derived data, never the record: named by a digest of the (date, source digest) pairs of the
partitions it was built from, rebuilt by `tenure build_serving` after an import or nightly run,
and used only while that digest matches the current partitions. Otherwise readers fall back to
the partitions themselves: slower, never stale.
"""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from tenure.lake.connections import duckdb_connect
from tenure.lake.paths import current_partitions, imported

TABLES = {"balances": "account_id, business_date", "transactions": "account_id, txn_time, txn_id"}
# Measured at 1M customers: 32k-128k-row groups answer a 3-account lookup in ~30 ms; 16k rows
# means thousands of row-group statistics to walk per query, 512k rows too much to decode.
ROW_GROUP_ROWS = 65_536
LAYOUT = f"v1-rg{ROW_GROUP_ROWS}"  # part of the digest: a layout change rebuilds the copy

_lock = threading.Lock()
_cache: dict[str, tuple[tuple, str, list[Path]]] = {}


def current(table: str) -> tuple[str, list[Path]]:
    """(digest, files) of the partitions the operational DB vouches for, oldest first.

    Checking each partition's digest opens every Parquet footer; the import ledger's rows change
    whenever a partition is written or replaced, so they key a per-process cache.
    """
    rows = tuple(imported(table))
    cached = _cache.get(table)
    if cached is not None and cached[0] == rows:
        return cached[1], cached[2]
    files = current_partitions(table)
    vouched = {str(f) for f in files}
    basis = [f"{day}:{sha}" for day, sha in rows if any(f"business_date={day}" in f for f in vouched)]
    digest = hashlib.sha256("\n".join([table, LAYOUT, *basis]).encode()).hexdigest()[:20]
    with _lock:
        _cache[table] = (rows, digest, files)
    return digest, files


def serving_dir() -> Path:
    return Path(settings.TENURE_HOME) / "serving"


def serving_file(table: str) -> Path | None:
    """The sorted copy of `table` matching the current partitions, or None."""
    digest, files = current(table)
    path = serving_dir() / f"{table}-{digest}.parquet"
    return path if files and path.exists() else None


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def serving_build(table: str) -> tuple[Path | None, bool]:
    """Build the sorted copy of `table` if it is missing; returns (path, built now). Idempotent.

    Written aside and renamed into place, so a reader never sees half a file; older copies are
    removed afterwards.
    """
    digest, files = current(table)
    if not files:
        return None, False
    folder = serving_dir()
    target = folder / f"{table}-{digest}.parquet"
    if target.exists():
        return target, False
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".{target.name}.staging"
    sources = "[" + ", ".join(_quote(f) for f in files) + "]"
    con = duckdb_connect(memory_limit="2GB", spill=folder / ".spill")
    try:
        con.execute(
            f"COPY (SELECT * EXCLUDE (filename), "
            f"CAST(regexp_extract(filename, 'business_date=([0-9-]+)', 1) AS DATE) AS business_date "
            f"FROM read_parquet({sources}, filename=true, hive_partitioning=false, union_by_name=true) "
            f"ORDER BY {TABLES[table]}) TO {_quote(staging)} "
            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
        )
    finally:
        con.close()
    staging.rename(target)
    for old in folder.glob(f"{table}-*.parquet"):
        if old != target:
            old.unlink(missing_ok=True)
    return target, True


def serving_build_all() -> dict[str, dict[str, Any]]:
    """Build the copy of every table; per table its path (None: no partitions), whether it was built
    now and the seconds it took: the summary of `tenure build_serving --json` and the daily run."""
    summary: dict[str, dict[str, Any]] = {}
    for table in TABLES:
        started = time.perf_counter()
        path, built = serving_build(table)
        seconds = round(time.perf_counter() - started, 1)
        summary[table] = {"path": str(path) if path else None, "built": built, "seconds": seconds}
    return summary
