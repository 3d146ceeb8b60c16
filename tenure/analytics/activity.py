"""Monthly activity per customer: the shared input of CLV and retention (step "activity").

A customer is *active* in a calendar month when they initiated at least one transaction in it
(interest and fees are booked by the bank, not acts of the customer, so they do not count).
Activity months are packed into one integer per customer: bit k is set when the customer was
active k months before the business date's month (bit 0 = D's month). 62 months fit in an int64,
which keeps the output one row per customer (like every other step), makes the per-customer
history cheap to store and lets CLV and retention shift the history to any earlier month with a
bit shift instead of re-reading the lake. Months before the first transaction partition in the
lake are unobserved, not inactive: `observed_from` says where the record starts.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import numpy as np

from tenure.analytics.dates import month_end_back, month_index
from tenure.analytics.engine import (
    as_of,
    bit,
    bit_count,
    bit_or,
    column_types,
    lake_table,
    materialize,
    round_half_up,
    scan,
)
from tenure.analytics.features import month_of, summary_types
from tenure.ingest import summaries
from tenure.ingest.summaries import NON_CUSTOMER_TXN_TYPES
from tenure.lake import current_partitions, partition_date

MAX_MONTHS = 62
RECENT_MONTHS = 3


def first_observed_month(day: dt.date) -> int:
    """The month of the earliest transaction partition up to `day` (at most MAX_MONTHS back)."""
    days = [partition_date(p) for p in current_partitions("transactions")]
    first = min((d for d in days if d <= day), default=day)
    return max(month_index(first), month_index(day) - MAX_MONTHS + 1)


def customer_activity(
    con: ibis.BaseBackend, day: dt.date, tiers: ir.Table, pyramid: ir.Table, cuts: dict[str, dt.date]
) -> ir.Table:
    """One row per customer onboarded by `day`: segments, onboarding month, activity bits and, for
    each named cut-off date, the number of transaction days up to it and the last of them
    (`txn_days_<cut>`, `last_day_<cut>`), plus transaction days in each of the last 3 months (`days_m<k>`)."""
    now, start = month_index(day), first_observed_month(day)
    # Every cut-off is D or a month-end, so "days up to the cut" is "days in months k ≥ its k".
    cut_k = {name: now - month_index(cut) for name, cut in cuts.items()}
    assert all(cut == day or cut == month_end_back(cut, 0) for cut in cuts.values()), cuts
    customers = as_of(
        lake_table(con, "customers", ("customer_no", "onboarded_on", "branch_code", "rm_employee_no"), upto=day),
        "customer_no",
    )
    customers = customers.filter(customers.onboarded_on <= day)
    accounts = as_of(lake_table(con, "accounts", ("account_id", "customer_no"), upto=day), "account_id")
    # The days of a month on which an account was used, as bits of one integer (bit d-1 = day d),
    # OR-ed per customer-month: a distinct over every customer-day would cost far more. Whole
    # partitions' months come from the import's summaries (`ingest/summaries.py`); raw rows only
    # from a partition without a current one.
    parts = summaries.partitions(after=None, upto=day)
    raw = scan(
        con,
        [p.raw for p in parts if p.summaries is None],
        column_types("transactions", ("account_id", "txn_time", "txn_type")),
    )
    raw = raw.mutate(day=raw.txn_time.date())
    raw = raw.filter(~raw.txn_type.isin(NON_CUSTOMER_TXN_TYPES), raw.day <= day)
    raw = raw.mutate(month=month_of(raw.day), day_bit=bit(raw.day.day() - 1))
    raw = raw.group_by("account_id", "month").agg(day_bits=bit_or(raw.day_bit))
    kept = scan(
        con,
        [p.summaries["txn_account_months"] for p in parts if p.summaries is not None],
        summary_types("txn_account_months"),
    )
    rows = raw.union(kept.select("account_id", "month", "day_bits"))
    rows = rows.mutate(k=now - rows.month)
    rows = rows.filter(rows.k >= 0, rows.k <= now - start)
    t = rows.join(accounts, "account_id")
    months = t.group_by(["customer_no", "k"]).agg(days=bit_or(t.day_bits))
    months = materialize(con, months)
    month_start = ibis.date((now - months.k) // 12, (now - months.k) % 12 + 1, 1)
    lowest, highest = (months.days & -months.days).log2().round(), months.days.log2().floor()
    months = months.mutate(
        n=bit_count(months.days).cast("int64"),
        first=month_start + lowest.cast("int32").as_interval("D"),
        last=month_start + highest.cast("int32").as_interval("D"),
    )
    per_customer = months.group_by("customer_no").agg(
        first_day=months.first.min(),
        active_bits=bit(months.k).sum(),
        active_months=months.count().cast("int64"),
        last_active_month=(now - months.k.min()).cast("int64"),
        **{f"txn_days_{name}": months.n.sum(where=months.k >= k).cast("int64") for name, k in cut_k.items()},
        **{f"last_day_{name}": months.last.max(where=months.k >= k) for name, k in cut_k.items()},
        **{f"days_m{k}": months.n.sum(where=months.k == k).cast("int64") for k in range(RECENT_MONTHS)},
    )
    c = customers.left_join(per_customer, "customer_no").drop("customer_no_right")
    c = c.join(tiers.select("customer_no", "asset_tier"), "customer_no")
    c = c.join(pyramid.select("customer_no", "value_level", "contribution"), "customer_no")
    onboarded = c.onboarded_on
    return c.select(
        "customer_no",
        "branch_code",
        "rm_employee_no",
        "asset_tier",
        "value_level",
        contribution=round_half_up(c.contribution, 2),
        onboarded_month=(onboarded.year() * 12 + onboarded.month() - 1).cast("int64"),
        observed_from=ibis.literal(start, "int64"),
        as_of_month=ibis.literal(now, "int64"),
        active_bits=c.active_bits.coalesce(0).cast("int64"),
        active_months=c.active_months.coalesce(0).cast("int64"),
        last_active_month=c.last_active_month.cast("int64"),
        first_day=c.first_day,
        **{col: c[col].coalesce(0) for col in per_customer.columns if col.startswith(("txn_days_", "days_m"))},
        **{col: c[col] for col in per_customer.columns if col.startswith("last_day_")},
    )


def active_matrix(bits: np.ndarray, months: int) -> np.ndarray:
    """Unpack `active_bits`: bool (customers, months) whose column k is "active k months before D's month"."""
    return ((bits.astype(np.int64)[:, None] >> np.arange(months, dtype=np.int64)[None, :]) & 1).astype(bool)
