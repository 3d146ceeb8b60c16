"""Transaction summaries: per account and calendar month, written beside each transactions partition.

The nightly's transaction features (docs/features.md) are sums, counts, maxima and "which months"
over whole calendar months, except where a 90- or 365-day window cuts a month in two. So each
imported transactions partition gets, in the same all-or-nothing import unit, two summary
partitions keyed like it (``<LAKE_DIR>/<summary>/business_date=D/``):

- `txn_account_months`: one row per (account, month of the transaction) over the customer's own
  transactions (the bank's interest and fee postings left out, as the features do): last day,
  the days with a transaction (bit d−1 for day d, for the monthly activity), count, amount,
  purchases, counts per channel, outflows and the largest one, payroll credits;
- `txn_payer_months`: one row per (account, payer, month) of the credits that can be a salary
  (payroll or transfer in, with a counterparty): their amount.

A summary partition counts only when it was written from the transactions partition the import
ledger vouches for (the same source digest) under this `VERSION`; otherwise the nightly rebuilds
it from the raw partition first (`ensure_summaries`), and `tenure nightly --full` rebuilds them
all. The nightly reads raw rows only for a month a window cuts (`analytics/features.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tenure import lake
from tenure.ingest.schema import CHANNELS

# Bump when a summary's definition changes: every summary partition is then rebuilt from raw.
VERSION = "1"
VERSION_KEY = b"tenure.summary_version"
MONTHS_KEY = b"tenure.summary_months"  # "first,last" month index (year·12 + month − 1) of the rows
SOURCE = "transactions"
NON_CUSTOMER_TXN_TYPES = ("interest", "fee")  # booked by the bank, not an act of the customer
OUTFLOW_TYPES = ("transfer_out", "withdrawal")

COLUMNS = {
    "txn_account_months": (
        "account_id",
        "month",
        "last_day",
        "day_bits",
        "n",
        "amount",
        "purchases",
        *(f"n_{c}" for c in CHANNELS),
        "outflow",
        "max_outflow",
        "payroll_n",
    ),
    "txn_payer_months": ("account_id", "counterparty", "month", "amount"),
}
_MONTH = "CAST(year(day) * 12 + month(day) - 1 AS INTEGER)"
_OWN = f"txn_type NOT IN {NON_CUSTOMER_TXN_TYPES}"
SUMMARIES: dict[str, str] = {
    "txn_account_months": f"""
        SELECT account_id, {_MONTH} AS month, max(day) AS last_day,
               bit_or(CAST(1 AS BIGINT) << (day(day) - 1)) AS day_bits, count(*) AS n,
               CAST(sum(amount) AS DECIMAL(18, 2)) AS amount,
               CAST(sum(amount) FILTER (txn_type = 'purchase' AND direction = 'D') AS DECIMAL(18, 2)) AS purchases,
               {", ".join(f"count(*) FILTER (channel = '{c}') AS n_{c}" for c in CHANNELS)},
               CAST(sum(amount) FILTER (direction = 'D' AND txn_type IN {OUTFLOW_TYPES}) AS DECIMAL(18, 2)) AS outflow,
               max(amount) FILTER (direction = 'D' AND txn_type IN {OUTFLOW_TYPES}) AS max_outflow,
               count(*) FILTER (direction = 'C' AND txn_type = 'payroll') AS payroll_n
        FROM rows WHERE {_OWN} GROUP BY ALL ORDER BY account_id, month""",
    "txn_payer_months": f"""
        SELECT account_id, counterparty, {_MONTH} AS month, CAST(sum(amount) AS DECIMAL(18, 2)) AS amount
        FROM rows
        WHERE direction = 'C' AND txn_type IN ('payroll', 'transfer_in') AND counterparty IS NOT NULL
        GROUP BY ALL ORDER BY account_id, counterparty, month""",
}


def summarise(transactions: pa.Table) -> dict[str, pa.Table]:
    """The summaries of one transactions partition (its lake rows)."""
    con = lake.duckdb_connect(threads=2)
    try:
        con.register(
            "raw",
            transactions.select(
                ["account_id", "txn_time", "amount", "direction", "channel", "txn_type", "counterparty"]
            ),
        )
        con.execute("CREATE TEMPORARY VIEW rows AS SELECT *, CAST(txn_time AS DATE) AS day FROM raw")
        return {name: con.sql(sql).to_arrow_table() for name, sql in SUMMARIES.items()}
    finally:
        con.close()


def summary_tables(transactions: pa.Table) -> dict[str, pa.Table]:
    """`summarise`, each table carrying this definition's version and the months its rows cover."""
    tables = {}
    for name, table in summarise(transactions).items():
        months = table["month"]
        first, last = (pc.min(months).as_py(), pc.max(months).as_py()) if table.num_rows else (0, -1)
        metadata = {VERSION_KEY: VERSION.encode(), MONTHS_KEY: f"{first},{last}".encode()}
        tables[name] = table.replace_schema_metadata(metadata)
    return tables


def write_summaries(day: dt.date, transactions: pa.Table, source_sha256: str) -> None:
    """(Re)place the summaries of the transactions partition of `day`, outside an import (see
    `LakeWrite.write_summaries` for inside one)."""
    for name, table in summary_tables(transactions).items():
        lake.write_partition(name, day, table, source_sha256)


def with_summaries(tables: Iterable[str]) -> list[str]:
    """The lake folders holding `tables`' partitions: theirs and, for transactions, the summaries'."""
    names = sorted(tables)
    return names + list(SUMMARIES) if SOURCE in names else names


def is_current(name: str, business_date: dt.date, source_sha256: str) -> bool:
    """Whether the summary partition was written from that transactions file under this version."""
    path = lake.partition_file(name, business_date)
    if not path.exists():
        return False
    metadata = pq.read_schema(path).metadata or {}
    return metadata.get(lake.DIGEST_KEY) == source_sha256.encode() and metadata.get(VERSION_KEY) == VERSION.encode()


def ensure_summaries(upto: dt.date, *, full: bool = False) -> list[dt.date]:
    """(Re)write the summaries of every vouched transactions partition up to `upto` that lacks a
    current one (all of them with `full`); returns the dates rebuilt. Needs the batch-run lock the
    nightly holds: no import writes the lake meanwhile."""
    rebuilt = []
    for day, digest in lake.vouched_partitions(SOURCE):
        if day > upto or (not full and all(is_current(name, day, digest) for name in SUMMARIES)):
            continue
        write_summaries(day, pq.read_table(lake.partition_file(SOURCE, day)), digest)
        rebuilt.append(day)
    return rebuilt


@dataclass(frozen=True)
class Partition:
    """One vouched transactions partition and, when current, its summaries and the months they cover."""

    day: dt.date
    raw: Path
    summaries: dict[str, Path] | None
    first_month: int = 0
    last_month: int = -1

    def covers(self, months: set[int]) -> bool:
        return any(self.first_month <= m <= self.last_month for m in months)


def partitions(*, after: dt.date | None, upto: dt.date) -> list[Partition]:
    """The vouched transactions partitions dated in (after, upto], with their current summaries."""
    found = []
    for day, digest in lake.vouched_partitions(SOURCE):
        if day > upto or (after is not None and day <= after):
            continue
        raw = lake.partition_file(SOURCE, day)
        if not all(is_current(name, day, digest) for name in SUMMARIES):
            found.append(Partition(day, raw, None))
            continue
        paths = {name: lake.partition_file(name, day) for name in SUMMARIES}
        first, last = (pq.read_schema(paths["txn_account_months"]).metadata or {})[MONTHS_KEY].decode().split(",")
        found.append(Partition(day, raw, paths, int(first), int(last)))
    return found
