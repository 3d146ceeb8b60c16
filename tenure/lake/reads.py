"""Per-customer reads from the Parquet lake (balances, transactions) through DuckDB.

Callers pass account keys they obtained from a *scoped* selector; this module never decides who
may see what. Every query filters on `account_id` inside the Parquet scan, so DuckDB prunes row
groups by their statistics instead of loading whole files (filter pushdown). The sorted serving
copy (`serving.py`, beside this module) makes that pruning effective; without it the partitions
are read directly.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from tenure.lake.connections import duckdb_connect
from tenure.lake.serving import current, serving_file

_local = threading.local()
_DATE_IN_PATH = re.compile(r"business_date=(\d{4}-\d{2}-\d{2})")


def _connection() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB connection per thread (connections are not thread-safe).

    One DuckDB thread per query: the web server already runs requests in parallel, and these
    queries are small; intra-query threads would only fight over the same cores.
    """
    con = getattr(_local, "con", None)
    if con is None:
        # Parquet footers (thousands of row-group statistics in the serving copy) are parsed once
        # per connection, not once per query.
        con = duckdb_connect(threads=1)
        con.execute("SET parquet_metadata_cache = true")
        _local.con = con
    return con


def partitions(table: str) -> list[Path]:
    """Files of the current partitions of `table`, oldest first (cached per process)."""
    return current(table)[1]


def _date_of(path: str | Path) -> dt.date:
    match = _DATE_IN_PATH.search(str(path))
    if not match:
        raise ValueError(f"not a lake partition path: {path}")
    return dt.date.fromisoformat(match.group(1))


def month_end_partitions(paths: Sequence[Path], months: int) -> list[Path]:
    """The last partition of each calendar month, for the latest `months` months, oldest first."""
    by_month: dict[tuple[int, int], Path] = {}
    for path in sorted(paths, key=_date_of):
        day = _date_of(path)
        by_month[(day.year, day.month)] = path
    return [by_month[key] for key in sorted(by_month)[-months:]]


def _in_list(values: Collection[object]) -> str:
    """One `?` placeholder per value."""
    return ",".join("?" for _ in values)


def balances_by_date(account_ids: Sequence[str], months: int = 13) -> dict[dt.date, dict[str, Decimal]]:
    """Month-end balance (yuan) per account, for the latest `months` month-ends."""
    files = month_end_partitions(partitions("balances"), months)
    result: dict[dt.date, dict[str, Decimal]] = {_date_of(f): {} for f in files}
    if not account_ids or not files:
        return result
    ids = _in_list(account_ids)
    sorted_copy = serving_file("balances")
    if sorted_copy is not None:
        sql = (
            f"SELECT business_date, account_id, balance FROM read_parquet(?) "
            f"WHERE account_id IN ({ids}) AND business_date IN ({_in_list(result)})"
        )
        params = [str(sorted_copy), *account_ids, *result]
    else:
        sql = (
            "SELECT filename, account_id, balance FROM read_parquet(?, filename=true, hive_partitioning=false) "
            f"WHERE account_id IN ({ids})"
        )
        params = [[str(f) for f in files], *account_ids]
    for day, account_id, balance in _connection().execute(sql, params).fetchall():
        result[day if isinstance(day, dt.date) else _date_of(day)][account_id] = Decimal(str(balance))
    return result


@dataclass(frozen=True)
class Transaction:
    txn_id: str
    account_id: str
    txn_time: dt.datetime
    amount: Decimal
    direction: str
    channel: str
    txn_type: str
    counterparty: str
    merchant_no: str


_TXN_COLUMNS = (
    "txn_id, account_id, txn_time, amount, direction, channel, txn_type, "
    "coalesce(counterparty, ''), coalesce(merchant_no, '')"
)


def transactions_page(account_ids: Sequence[str], page: int, per_page: int) -> tuple[list[Transaction], bool]:
    """Newest-first transactions of these accounts; returns the page and whether another follows.

    From the sorted copy, one query. Without it, partitions hold the transactions since the
    previous business date, so the newest page is almost always in the newest partition: read the
    latest 1, then 3, then all partitions until the page is full.
    """
    files = [str(f) for f in partitions("transactions")]
    if not account_ids or not files:
        return [], False
    offset = max(page - 1, 0) * per_page
    where = f"WHERE account_id IN ({_in_list(account_ids)}) ORDER BY txn_time DESC, txn_id LIMIT ? OFFSET ?"
    sorted_copy = serving_file("transactions")
    windows = (
        [[str(sorted_copy)]]
        if sorted_copy
        else [files[-n:] for n in sorted({min(n, len(files)) for n in (1, 3, len(files))})]
    )
    rows: list = []
    for window in windows:
        rows = (
            _connection()
            .execute(
                f"SELECT {_TXN_COLUMNS} FROM read_parquet(?, hive_partitioning=false, union_by_name=true) {where}",
                [window, *account_ids, per_page + 1, offset],
            )
            .fetchall()
        )
        if len(rows) > per_page:
            break
    txns = [
        Transaction(r[0], r[1], _as_datetime(r[2]), Decimal(str(r[3])), r[4], r[5], r[6], r[7], r[8])
        for r in rows[:per_page]
    ]
    return txns, len(rows) > per_page


def channel_usage(account_ids: Sequence[str], months: int = 3) -> list[tuple[str, int, Decimal]]:
    """(channel, transactions, amount in yuan) over the latest `months` partitions, busiest first."""
    files = partitions("transactions")[-months:]
    if not account_ids or not files:
        return []
    condition = f"account_id IN ({_in_list(account_ids)})"
    sorted_copy = serving_file("transactions")
    if sorted_copy is not None:
        source, params = "read_parquet(?)", [str(sorted_copy), *account_ids, _date_of(files[0])]
        condition += " AND business_date >= ?"
    else:
        source = "read_parquet(?, hive_partitioning=false, union_by_name=true)"
        params = [[str(f) for f in files], *account_ids]
    rows = (
        _connection()
        .execute(
            f"SELECT channel, count(*), sum(amount) FROM {source} WHERE {condition} "
            "GROUP BY channel ORDER BY 2 DESC, 1",
            params,
        )
        .fetchall()
    )
    return [(channel, int(n), Decimal(str(total))) for channel, n, total in rows]


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def aum_by_owner(accounts: Sequence[tuple[str, str]], months: int = 2) -> dict[dt.date, dict[str, Decimal]]:
    """Sum of month-end balances per owner key for the latest `months` month-ends.

    `accounts` are (account_id, owner) pairs — owner being a customer number or an RM — handed to
    DuckDB as an Arrow table and joined inside the scan, so any number of accounts works.
    """
    import pyarrow as pa

    files = month_end_partitions(partitions("balances"), months)
    result: dict[dt.date, dict[str, Decimal]] = {_date_of(f): {} for f in files}
    if not accounts or not files:
        return result
    owners = pa.table({"account_id": [a for a, _ in accounts], "owner": [o for _, o in accounts]})
    con = _connection()
    con.register("scope_accounts", owners)
    try:
        rows = con.execute(
            "SELECT b.filename, s.owner, sum(b.balance) FROM read_parquet(?, filename=true, hive_partitioning=false) b "
            "JOIN scope_accounts s USING (account_id) GROUP BY 1, 2",
            [[str(f) for f in files]],
        ).fetchall()
    finally:
        con.unregister("scope_accounts")
    for filename, owner, total in rows:
        result[_date_of(filename)][owner] = Decimal(str(total))
    return result


def activity_between(
    account_ids: Sequence[str], first: dt.date, last: dt.date
) -> dict[str, tuple[Decimal, Decimal, int]]:
    """(money in, money out, transactions) per account for transactions from `first` to `last`
    inclusive (yuan; a monthly statement's movements). Reads the partitions that can hold them: a
    partition holds the transactions after the previous business date up to its own."""
    files = partitions("transactions")
    dates = [_date_of(f) for f in files]
    end = next((d for d in dates if d >= last), None)
    window = [str(f) for f, d in zip(files, dates, strict=True) if d >= first and (end is None or d <= end)]
    if not account_ids or not window:
        return {}
    import pyarrow as pa

    con = _connection()
    con.register("activity_accounts", pa.table({"account_id": list(account_ids)}))
    try:
        rows = con.execute(
            "SELECT t.account_id, sum(CASE WHEN direction = 'C' THEN amount ELSE 0 END), "
            "sum(CASE WHEN direction = 'D' THEN amount ELSE 0 END), count(*) "
            "FROM read_parquet(?, hive_partitioning=false, union_by_name=true) t "
            "JOIN activity_accounts USING (account_id) "
            "WHERE t.txn_time BETWEEN ? AND ? GROUP BY 1",
            [window, dt.datetime.combine(first, dt.time()), dt.datetime.combine(last, dt.time.max)],
        ).fetchall()
    finally:
        con.unregister("activity_accounts")
    return {a: (Decimal(str(c)), Decimal(str(d)), int(n)) for a, c, d, n in rows}


def repayments_due(day: dt.date) -> dict[str, Decimal] | None:
    """Amount due (yuan) per account with a repayment due on `day`, from the latest `repayments`
    partition (the schedule as at the latest business date that carried one); None when the extract
    has never carried the table, so that the caller can fall back on its own rule."""
    files = partitions("repayments")
    if not files:
        return None
    rows = (
        _connection()
        .execute(
            "SELECT account_id, sum(amount_due) FROM read_parquet(?, hive_partitioning=false) "
            "WHERE due_date = ? GROUP BY 1",
            [str(files[-1]), day],
        )
        .fetchall()
    )
    return {account_id: Decimal(str(amount)) for account_id, amount in rows}
