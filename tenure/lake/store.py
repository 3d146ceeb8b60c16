"""The output store: where nightly step outputs live, how they are written atomically, hashed,
diffed and upserted into the operational DB.

Outputs: ``<TENURE_HOME>/analytics/<step>/business_date=D/data.parquet`` (next to the lake),
written aside and renamed into place; the Parquet metadata carries the run key and config
version. The digest hashes a canonical form (rows sorted by key, every value as text at the
output's declared scale), so DuckDB and Spark outputs of the same data hash the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
from contextlib import nullcontext
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection

from tenure.core import bulk
from tenure.lake.connections import ibis_duckdb

RUN_KEY = b"tenure.run_key"
CONFIG_VERSION = b"tenure.config_version"


def analytics_dir() -> Path:
    return Path(settings.LAKE_DIR).parent / "analytics"


def output_path(step: str, day: dt.date) -> Path:
    return analytics_dir() / step / f"business_date={day.isoformat()}" / "data.parquet"


def published_path(step: str, digest: str) -> Path:
    """The copy of the output the DB currently reflects, named by its digest (the diff baseline)."""
    return analytics_dir() / step / "published" / f"{digest}.parquet"


def canonical(table: pa.Table, key: str) -> pa.Table:
    """Rows sorted by `key` (unique), columns in their declared order. Steps ask their engine to
    sort (DuckDB sorts 1M rows on both cores in a quarter of the time Arrow's one-core sort and
    gather take), so this usually only checks the order."""
    keys = table[key]
    if table.num_rows < 2 or pc.all(pc.less(keys[:-1], keys[1:])).as_py():
        return table
    return table.sort_by([(key, "ascending")])


class _HashSink(io.RawIOBase):
    """A write-only file that feeds sha256, so the CSV text of an output is never held in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.sha = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sha.update(data)
        return len(data)


def digest(table: pa.Table, batch: int = 65_536) -> str:
    """sha256 of the table as CSV text: decimals at their declared scale, doubles already rounded.

    Written batch by batch (the same bytes as one CSV of the whole table): a text copy of a
    million-row output would otherwise double the step's peak memory.
    """
    sink = _HashSink()
    schema = pa.schema([(name, pa.string()) for name in table.column_names])
    options = pacsv.WriteOptions(include_header=True, quoting_style="all_valid")
    with pacsv.CSVWriter(sink, schema, write_options=options) as writer:
        for chunk in table.to_batches(max_chunksize=batch):
            writer.write_batch(pa.record_batch([c.cast(pa.string()) for c in chunk.columns], schema=schema))
    return sink.sha.hexdigest()


def write_output(step: str, day: dt.date, table: pa.Table, *, run_key: str, config_version: int) -> Path:
    """Atomically (re)place the output of `step` for `day`."""
    final = output_path(step, day)
    final.parent.parent.mkdir(parents=True, exist_ok=True)
    staging = final.parent.with_name(f".staging-{day.isoformat()}-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    metadata = dict(table.schema.metadata or {})
    metadata.update({RUN_KEY: run_key.encode(), CONFIG_VERSION: str(config_version).encode()})
    # Sorted by customer number in small row groups: one customer's row is read by the groups'
    # statistics (churn reasons worked out when a score is first shown). Dictionary encoding only
    # for text: on money and ratios it cost a third of the writing time and made the file larger.
    text = [f.name for f in table.schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    pq.write_table(
        table.replace_schema_metadata(metadata),
        staging / "data.parquet",
        compression="zstd",
        row_group_size=4096,
        use_dictionary=text,
    )
    retired = final.parent.with_name(f".retired-{day.isoformat()}-{os.getpid()}")
    if final.parent.exists():
        final.parent.rename(retired)
    staging.rename(final.parent)
    shutil.rmtree(retired, ignore_errors=True)
    return final


def read_output(
    step: str, day: dt.date, run_key: str | None = None, columns: list[str] | None = None, filters: list | None = None
) -> pa.Table | None:
    """The output of `step` for `day` (only `columns`, and the rows `filters` keep, when given: by
    customer number, only the row groups holding them are read), or None if absent (or written
    under another run key)."""
    path = output_path(step, day)
    if not path.exists():
        return None
    if run_key is not None and (pq.read_schema(path).metadata or {}).get(RUN_KEY) != run_key.encode():
        return None
    table = pq.read_table(path, columns=columns, filters=filters)
    return table.replace_schema_metadata(None)


def publish_baseline(step: str, day: dt.date, new_digest: str) -> Path:
    """Hard-link the output as the future diff baseline (before the DB commit that refers to it)."""
    target = published_path(step, new_digest)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        tmp = target.with_name(f".{new_digest}.{os.getpid()}")
        tmp.unlink(missing_ok=True)
        os.link(output_path(step, day), tmp)
        tmp.rename(target)
    return target


def prune_baselines(step: str, keep: str) -> None:
    """Remove baselines other than `keep` (after the DB committed to it)."""
    folder = published_path(step, keep).parent
    for path in folder.glob("*.parquet"):
        if path.name != f"{keep}.parquet":
            path.unlink(missing_ok=True)


def changed_rows(new: pa.Table, baseline: Path | None, columns: list[str]) -> pa.Table:
    """Rows of `new` (restricted to `columns`) that are not in the baseline file."""
    new = new.select(columns)
    if baseline is None or not baseline.exists():
        return new
    con = ibis_duckdb()
    fresh = con.create_table("fresh", new)
    old = con.read_parquet(str(baseline)).select(columns)
    return fresh.difference(old.cast(fresh.schema())).to_pyarrow()


def upsert(
    table_name: str, key: tuple[str, ...], rows: pa.Table, batch: int = 10_000, *, most_rows: bool = False
) -> int:
    """INSERT … ON CONFLICT (key) DO UPDATE for every row (SQLite and PostgreSQL); returns rows.

    Keys must be unique within `rows`. PostgreSQL gets them by COPY (`bulk.copy_upsert`).
    `most_rows`: the rows are most of the table's, so on SQLite its secondary indexes are built
    afresh after the write rather than kept up to date row by row.
    """
    if rows.num_rows == 0:
        return 0
    columns = rows.column_names
    conflict = bulk.conflict_clause(key, [c for c in columns if c not in key])
    # Decimals and dates go as text, converted by Arrow in bulk: the drivers would turn each
    # Decimal/date object into the same text one by one (SQLite's adapter, psycopg's literals).
    texted = pa.table([c.cast(pa.string()) if _is_decimal_or_date(c.type) else c for c in rows.columns], names=columns)
    if connection.vendor == "postgresql":
        bulk.copy_upsert(table_name, texted, conflict)
        return rows.num_rows
    sql = bulk.insert_sql(table_name, columns, conflict)
    # Rows are handed over as a generator per batch (no list of a batch's tuples; small batches keep
    # the Python objects of only a few thousand rows alive at a time).
    with bulk.sqlite_indexes_set_aside(table_name) if most_rows else nullcontext(), connection.cursor() as cursor:
        for chunk in texted.to_batches(max_chunksize=batch):
            rows_of_chunk = zip(*(column.to_pylist() for column in chunk.columns), strict=True)
            # The stubs ask for a Sequence; Django hands any iterable on to the driver (sqlite3 takes one).
            cursor.executemany(sql, rows_of_chunk)  # type: ignore[arg-type]
    return rows.num_rows


def _is_decimal_or_date(kind: pa.DataType) -> bool:
    return pa.types.is_decimal(kind) or pa.types.is_date(kind)
