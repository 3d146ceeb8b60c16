"""Customers who had a problem, and whether they bought again: the lake reads behind the recovery
page's repurchase comparison (the maths is in `recovery`; definitions in docs/complaints.md §
Repurchase after a problem).

A **problem signal** is a queue ticket the customer drew with their card or ID (lake
`queue_tickets`, `customer_no` filled): never called — the customer walked away, a *major*
problem — or called after more than the target wait (`queues.rules.active_target`, 15 minutes by
default) — a *minor* one. Each customer counts once, on their first signal in the chosen dates.
A **repurchase** is a product bought (a `product_buy` transaction on one of the customer's
accounts) or an account opened (`accounts.opened_on`), both from the lake.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

import pandas as pd
import pyarrow as pa
from django.utils import timezone

from tenure import lake
from tenure.analytics.cache import cached
from tenure.complaints import recovery
from tenure.queues.rules import active_target

SIGNALS = """
    SELECT customer_no, arg_min(day, issued_at) AS day, arg_min(walked, issued_at) AS major
    FROM (
        SELECT t.customer_no, t.issued_at, CAST(t.issued_at AS DATE) AS day, t.called_at IS NULL AS walked,
               date_diff('second', t.issued_at, t.called_at) > $target AS slow
        FROM read_parquet($files) t JOIN scope USING (customer_no)
        WHERE CAST(t.issued_at AS DATE) BETWEEN $start AND $end
    )
    WHERE walked OR slow
    GROUP BY customer_no
"""
# Accounts are a dimension written as changes: the same account may appear in several partitions.
OWNERS = """
    WITH owner AS (SELECT DISTINCT account_id, customer_no, opened_on FROM read_parquet($accounts)
                   WHERE customer_no IN (SELECT customer_no FROM scope))
"""
OPENED = "SELECT customer_no, opened_on AS day FROM owner WHERE opened_on > $start"
BOUGHT = """
    SELECT o.customer_no, CAST(t.txn_time AS DATE) AS day
    FROM read_parquet($transactions) t JOIN owner o USING (account_id)
    WHERE t.txn_type = 'product_buy' AND CAST(t.txn_time AS DATE) > $start
"""
EMPTY_SIGNALS = pd.DataFrame({"customer_no": pd.Series(dtype=str), "day": pd.Series(dtype=object), "major": False})
EMPTY_PURCHASES = pd.DataFrame({"customer_no": pd.Series(dtype=str), "day": pd.Series(dtype=object)})


def _files(table: str, after: dt.date | None = None) -> list[str]:
    """The vouched partitions of `table` that may hold rows after `after` (a partition holds what
    happened after the previous business date up to its own)."""
    return [str(lake.partition_file(table, d)) for d, _ in lake.vouched_partitions(table) if after is None or d > after]


def last_day() -> dt.date | None:
    """The latest business date whose transactions are in the lake: a repurchase window ending after
    it cannot be judged yet."""
    parts = lake.vouched_partitions("transactions")
    return parts[-1][0] if parts else None


def signals(customer_nos: Sequence[str], start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    """customer_no, day, major: the first problem signal of each of `customer_nos` on a day in
    [start, end] (None: open)."""
    files = _files("queue_tickets", start)
    if not files or not customer_nos:
        return EMPTY_SIGNALS.copy()
    params = {
        "files": files,
        "target": active_target().minutes * 60,
        "start": start or dt.date.min,
        "end": end or dt.date.max,
    }
    return _query(SIGNALS, customer_nos, params, EMPTY_SIGNALS)


def purchases(customer_nos: Sequence[str], start: dt.date) -> pd.DataFrame:
    """customer_no, day: each day after `start` on which one of `customer_nos` bought a product or
    opened an account."""
    accounts = _files("accounts")
    if not accounts or not customer_nos:
        return EMPTY_PURCHASES.copy()
    transactions = _files("transactions", start)
    params: dict = {"accounts": accounts, "start": start}
    sql = OWNERS + OPENED
    if transactions:
        sql += " UNION " + BOUGHT
        params["transactions"] = transactions
    return _query(sql, customer_nos, params, EMPTY_PURCHASES)


def _query(sql: str, customer_nos: Sequence[str], params: dict, empty: pd.DataFrame) -> pd.DataFrame:
    """`sql` with the table `scope` (customer_no) holding `customer_nos`, as a DataFrame; cached per
    imported-data version (the lake scans are most of the recovery page's time)."""
    scope = hashlib.sha256("\n".join(sorted(customer_nos)).encode()).hexdigest()
    return cached(
        "complaints.problems",
        (sql, scope, repr(sorted(params.items()))),
        lambda: _run(sql, customer_nos, params, empty),
    )


def _run(sql: str, customer_nos: Sequence[str], params: dict, empty: pd.DataFrame) -> pd.DataFrame:
    con = lake.duckdb_connect(threads=2)
    try:
        con.register("scope", pa.table({"customer_no": pa.array(list(customer_nos), pa.string())}))
        out = con.execute(sql, params).df()
    finally:
        con.close()
    if out.empty:
        return empty.copy()
    return out.assign(day=pd.to_datetime(out.day).dt.date)


def repurchase_comparison(
    complaints: pd.DataFrame,
    filed: pd.DataFrame,
    customer_nos: Sequence[str],
    start: dt.date | None,
    end: dt.date | None,
    horizon_days: int,
) -> pd.DataFrame:
    """`recovery.repurchase_by_group` of the complaints of the page (`recovery`'s frame) against the
    problem signals of `customer_nos` in [start, end] whose customer filed none of `filed`
    (customer_no, day: every complaint in scope, whatever the page's filters)."""
    tz = timezone.get_current_timezone()
    mine = complaints[complaints.customer_no.notna()]
    mine = mine.assign(
        day=mine.received_at.dt.tz_convert(tz).dt.date,
        speed=recovery.speed(mine, horizon_days),
        major=mine.severity.isin(recovery.MAJOR_SEVERITIES),
    )
    quiet = recovery.without_complaint(signals(customer_nos, start, end), filed, horizon_days)
    days = [*mine.day, *quiet.day]
    bought = purchases(sorted(set(mine.customer_no) | set(quiet.customer_no)), min(days)) if days else EMPTY_PURCHASES
    last = last_day()
    mine = mine.assign(repurchased=recovery.repurchased_within(mine, bought, horizon_days, last))
    quiet = quiet.assign(repurchased=recovery.repurchased_within(quiet, bought, horizon_days, last))
    return recovery.repurchase_by_group(mine, quiet)
