"""Monthly transaction behaviour per customer over the 6 months ending at D (Ibis over the lake).

Signals and the model both need "this month against the months before": money leaving for other
banks, payroll stopping, card spending collapsing, one large withdrawal. Month k is the calendar
window (month-end k+1 months before D, month-end k months before D]; month 0 ends at D itself.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from tenure.analytics.engine import as_of, lake_table
from tenure.analytics.features import month_end_back

MONTHS = 6
OUTFLOW_TYPES = ("transfer_out", "withdrawal")


def monthly_activity(con: ibis.BaseBackend, day: dt.date) -> ir.Table:
    """One row per customer with transactions in the window; amounts in yuan (float)."""
    bounds = [day] + [month_end_back(day, k) for k in range(1, MONTHS + 1)]
    start = bounds[-1]
    products = as_of(lake_table(con, "products", ("product_code", "product_type"), upto=day), "product_code")
    accounts = as_of(
        lake_table(con, "accounts", ("account_id", "customer_no", "product_code"), upto=day), "account_id"
    ).join(products, "product_code")
    rows = lake_table(
        con,
        "transactions",
        ("account_id", "txn_time", "amount", "direction", "txn_type", "counterparty"),
        after=start,
        upto=day,
    )
    t = rows.mutate(day=rows.txn_time.date()).join(accounts, "account_id")
    t = t.filter(t.day > start, t.day <= day)
    month = ibis.cases(*[(t.day > bounds[k + 1], k) for k in range(MONTHS)], else_=MONTHS)
    t = t.mutate(k=month, amount=t.amount.cast("float64"))
    out = t.direction == "D"
    outflow = out & t.txn_type.isin(OUTFLOW_TYPES)
    payroll = (t.direction == "C") & (t.txn_type == "payroll")
    card = out & (t.txn_type == "purchase") & (t.product_type == "credit_card")
    m = t.group_by(["customer_no", "k"]).agg(
        outflow=t.amount.sum(where=outflow).coalesce(0.0),
        max_outflow=t.amount.max(where=outflow).coalesce(0.0),
        payroll=t.count(where=payroll),
        card=t.amount.sum(where=card).coalesce(0.0),
    )
    now, before = m.k == 0, m.k.between(1, 3)
    return m.group_by("customer_no").agg(
        outflow_1m=m.outflow.sum(where=now).coalesce(0.0),
        outflow_prev3=(m.outflow.sum(where=before).coalesce(0.0) / 3).round(2),
        max_outflow_1m=m.max_outflow.max(where=now).coalesce(0.0),
        payroll_1m=m.payroll.sum(where=now).coalesce(0).cast("int64"),
        payroll_months_prev=m.k.nunique(where=(m.k >= 1) & (m.payroll > 0)).cast("int64"),
        card_1m=m.card.sum(where=now).coalesce(0.0),
        card_prev3=(m.card.sum(where=before).coalesce(0.0) / 3).round(2),
    )
