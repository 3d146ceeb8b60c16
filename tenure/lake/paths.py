"""The Parquet lake: append-only facts and dimension snapshots, partitioned by business date.

Layout: ``<LAKE_DIR>/<table>/business_date=YYYY-MM-DD/data.parquet`` (Hive-style, readable by
DuckDB, Ibis and Spark). Personal identifiers never reach the lake: sensitive columns are
replaced by their blind index (``<column>_bidx``) and personal free text is dropped
(see `schema.Column.sensitive` / `schema.Column.lake`).

A partition is written aside and renamed into place, so readers never see half a file. The
digest of the source file is stored in the Parquet metadata: a partition is current only when
the operational DB's `ImportedFile` row for (date, table) has the same digest.

Fact partitions are written sorted by account (`SORT_KEYS`), whatever order the source file had:
the nightly aggregates transactions per account, and one account's rows side by side keep that
hash aggregation in cache (`docs/features.md` § Performance). The keys are unique per partition
(the importer refuses duplicates), so the file's order depends only on its rows.

Which partitions count is the import ledger's word: the operational DB's `ImportedFile` rows,
read through the function `settings.LAKE_LEDGER` names (ingest's), so that this package imports
no app.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.utils.module_loading import import_string

DIGEST_KEY = b"tenure.source_sha256"
SORT_KEYS = {"transactions": ("account_id", "txn_time", "txn_id"), "balances": ("account_id",)}
LAYOUT = "sorted-by-account-v1"  # names the layout above, for caches built on it (the benchmark's lake)


def lake_dir() -> Path:
    return Path(settings.LAKE_DIR)


def partition_dir(table: str, business_date: dt.date) -> Path:
    return lake_dir() / table / f"business_date={business_date.isoformat()}"


def partition_file(table: str, business_date: dt.date) -> Path:
    return partition_dir(table, business_date) / "data.parquet"


def partition_date(path: Path) -> dt.date:
    """The business date of a lake file, from its `business_date=YYYY-MM-DD` folder."""
    return dt.date.fromisoformat(path.parent.name.split("=", 1)[1])


def write_partition(table: str, business_date: dt.date, data: pa.Table, source_sha256: str) -> Path:
    """Atomically (re)place one partition; returns its file path."""
    final = partition_dir(table, business_date)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.parent / f".staging-{business_date.isoformat()}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    metadata = dict(data.schema.metadata or {})
    metadata[DIGEST_KEY] = source_sha256.encode()
    data = _sorted(table, data).replace_schema_metadata(metadata)
    pq.write_table(data, staging / "data.parquet", compression="zstd")
    retired = final.parent / f".retired-{business_date.isoformat()}-{os.getpid()}"
    if final.exists():
        final.rename(retired)
    staging.rename(final)
    shutil.rmtree(retired, ignore_errors=True)
    return final / "data.parquet"


def _sorted(table: str, data: pa.Table) -> pa.Table:
    keys = [(key, "ascending") for key in SORT_KEYS.get(table, ()) if key in data.column_names]
    return data.take(pc.sort_indices(data, sort_keys=keys)) if keys and data.num_rows > 1 else data


def partition_digest(table: str, business_date: dt.date) -> str | None:
    """The source digest a partition was written from, or None when it does not exist."""
    path = partition_file(table, business_date)
    if not path.exists():
        return None
    metadata = pq.read_schema(path).metadata or {}
    value = metadata.get(DIGEST_KEY)
    return value.decode() if value else None


def remove_partition(table: str, business_date: dt.date) -> None:
    shutil.rmtree(partition_dir(table, business_date), ignore_errors=True)


def imported(table: str) -> list[tuple[dt.date, str]]:
    """(business date, source digest) of every committed import of `table`, oldest first, whether
    or not its partition is on disk: the ledger `settings.LAKE_LEDGER` names."""
    return import_string(settings.LAKE_LEDGER)(table)


def vouched_partitions(table: str) -> list[tuple[dt.date, str]]:
    """(business date, source digest) of the partitions the operational DB vouches for (imported,
    committed, and the file on disk written from that source), by date."""
    if table in _pinned:
        return list(_pinned[table])
    return [(d, digest) for d, digest in imported(table) if partition_digest(table, d) == digest]


def current_partitions(table: str) -> list[Path]:
    """Files of the vouched partitions, by date."""
    return [partition_file(table, d) for d, _ in vouched_partitions(table)]


_pinned: dict[str, list[tuple[dt.date, str]]] = {}


@contextmanager
def pinned_partitions(tables: Iterable[str]) -> Iterator[None]:
    """Within the block, `vouched_partitions` (and `current_partitions`) of `tables` answer from one
    snapshot taken on entry.

    A nightly run reads the same files from start to end (an import committing meanwhile is for
    the next run), and a worker thread computing a step needs no database connection of its own.
    """
    snapshot = {table: vouched_partitions(table) for table in tables}
    previous = dict(_pinned)
    _pinned.update(snapshot)
    try:
        yield
    finally:
        _pinned.clear()
        _pinned.update(previous)
