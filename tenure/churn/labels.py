"""Churn labels for a past business date D, built from the lake (set-based, DuckDB via Ibis).

A customer is in the population at D when onboarded by D, their average month-end AUM over the
last `lookback_months` month-ends is at least `min_avg_aum`, and they have not churned yet (AUM at
D still at or above `aum_share` of that average). They are labelled churned when, at any of the
next `horizon_months` month-ends, their AUM is below `aum_share` × average (a month without any
balance row is AUM 0), or every one of their accounts is closed by the last of those month-ends.
The label needs the lake to hold all those future month-ends: it only exists for the past.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from tenure.analytics.config import AUM_PRODUCT_TYPES
from tenure.analytics.dates import month_end_back
from tenure.analytics.engine import as_of, lake_table
from tenure.lake import current_partitions, partition_date


class LabelsUnavailable(ValueError):
    """The lake does not yet hold the month-ends the label of this date looks ahead to."""


def balance_dates(upto: dt.date | None = None) -> list[dt.date]:
    """Business dates of the balance partitions, oldest first."""
    days = sorted({partition_date(p) for p in current_partitions("balances")})
    return [d for d in days if upto is None or d <= upto]


def _month_end_of(days: list[dt.date], target: dt.date) -> dt.date | None:
    return next((d for d in days if (d.year, d.month) == (target.year, target.month)), None)


def label_dates(day: dt.date, rules: dict) -> tuple[list[dt.date], list[dt.date]]:
    """(history month-ends ending at D, future month-ends after D) from the lake."""
    days = balance_dates()
    history = [_month_end_of(days, month_end_back(day, k) if k else day) for k in range(rules["lookback_months"])]
    future = [_month_end_of(days, month_end_back(day, -k)) for k in range(1, rules["horizon_months"] + 1)]
    if history[0] is None:
        raise LabelsUnavailable(f"no balances for {day}")
    if any(d is None for d in future):
        raise LabelsUnavailable(f"labels for {day} need balances for the {rules['horizon_months']} month-ends after it")
    return [d for d in history if d is not None], [d for d in future if d is not None]  # none is None here


def churn_labels(con: ibis.BaseBackend, day: dt.date, rules: dict) -> ir.Table:
    """customer_no, avg_aum, aum_now, churned (bool) for the population at `day` (see module doc)."""
    history, future = label_dates(day, rules)
    end = future[-1]
    products = as_of(lake_table(con, "products", ("product_code", "product_type"), upto=end), "product_code")
    accounts = as_of(
        lake_table(con, "accounts", ("account_id", "customer_no", "product_code", "status"), upto=end), "account_id"
    ).join(products, "product_code")
    customers = as_of(lake_table(con, "customers", ("customer_no", "onboarded_on"), upto=day), "customer_no")
    customers = customers.filter(customers.onboarded_on <= day)

    rows = lake_table(con, "balances", ("account_id", "balance"), after=history[-1] - dt.timedelta(days=1), upto=end)
    b = rows.join(accounts.filter(accounts.product_type.isin(AUM_PRODUCT_TYPES)), "account_id")
    monthly = b.group_by(["customer_no", "business_date"]).agg(aum=b.balance.sum().cast("float64"))
    per = monthly.group_by("customer_no").agg(
        total_hist=monthly.aum.sum(where=monthly.business_date.isin(history)),
        aum_now=monthly.aum.sum(where=monthly.business_date == history[0]),
    )
    per = per.mutate(avg_aum=(per.total_hist.coalesce(0.0) / len(history)).round(2))
    ahead = monthly.filter(monthly.business_date.isin(future)).join(per.select("customer_no", "avg_aum"), "customer_no")
    kept = ahead.group_by("customer_no").agg(
        kept=ahead.count(where=ahead.aum >= ahead.avg_aum * rules["aum_share"]).cast("int64")
    )
    # Below the floor in some future month, or a future month with no AUM row at all (AUM 0).
    per = per.left_join(kept, "customer_no").drop("customer_no_right")
    per = per.mutate(fell=per.kept.coalesce(0) < len(future))

    closed = accounts.status == "closed"
    acc = accounts.group_by("customer_no").agg(n=accounts.count(), closed=accounts.count(where=closed))
    closed_all = acc.filter(acc.n == acc.closed).select("customer_no", closed_all=ibis.literal(True))

    t = customers.join(per, "customer_no").left_join(closed_all, "customer_no").drop("customer_no_right")
    t = t.filter(t.avg_aum >= rules["min_avg_aum"], t.aum_now.coalesce(0.0) >= t.avg_aum * rules["aum_share"])
    return t.select(
        "customer_no",
        "avg_aum",
        aum_now=t.aum_now.coalesce(0.0),
        churned=t.fell | t.closed_all.fill_null(False),
    )


def horizon_end(day: dt.date, rules: dict) -> dt.date:
    """The last calendar day the label of `day` looks ahead to."""
    return month_end_back(day, -rules["horizon_months"])
