"""Customer features as of a business date D: one row per customer onboarded by D.

Every formula is in docs/features.md. Money is yuan as decimal(18, 2), ratios are doubles
rounded half up to 4 places (`round_half_up`, the same on every engine), day counts are
integers: the canonical types keep the DuckDB and Spark outputs byte-for-byte comparable.
Month-end balances are the only balance facts, so "k months ago" is the balance partition dated
in the calendar month k months before D.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.datatypes as dt_
import ibis.expr.types as ir

from tenure.analytics.config import AUM_PRODUCT_TYPES, PRODUCT_TYPES
from tenure.analytics.dates import Dates, month_index
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
from tenure.ingest import summaries
from tenure.ingest.schema import CHANNELS, OWN_BANK_ISSUER
from tenure.ingest.summaries import NON_CUSTOMER_TXN_TYPES, OUTFLOW_TYPES

MONEY = dt_.Decimal(18, 2)
AUM_LAGS = (1, 3, 6, 12)
PAYROLL_MIN_MONTHS = 3
BEHAVIOUR_MONTHS = 6  # this month and the 5 before it, for "this month against the months before"


def _money(value: Any) -> ir.Value:
    return ibis.literal(Decimal(value), type=MONEY)


def _ratio(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    """numerator / denominator rounded to 4 places, 0 when the denominator is 0."""
    den = denominator.cast("float64")
    return ibis.cases((den != 0, round_half_up(numerator.cast("float64") / den, 4)), else_=0.0)


def _dimensions(con: ibis.BaseBackend, day: dt.date) -> tuple[ir.Table, ir.Table, ir.Table]:
    customers = as_of(
        lake_table(
            con,
            "customers",
            ("customer_no", "customer_type", "onboarded_on", "branch_code", "rm_employee_no"),
            upto=day,
        ),
        "customer_no",
    )
    customers = customers.filter(customers.onboarded_on <= day)
    products = as_of(
        lake_table(con, "products", ("product_code", "product_type", "issuer", "maturity_date"), upto=day),
        "product_code",
    )
    accounts = as_of(
        lake_table(con, "accounts", ("account_id", "customer_no", "product_code", "status"), upto=day), "account_id"
    )
    accounts = accounts.join(products.select("product_code", "product_type"), "product_code")
    return customers, products, accounts


def _balances(con: ibis.BaseBackend, dates: Dates, accounts: ir.Table, rules: dict) -> ir.Table:
    """AUM now and k months ago, 3-month average daily AUM, holdings, balance contribution."""
    window = dates.window(0, 13)
    rows = lake_table(con, "balances", ("account_id", "balance", "avg_daily_balance"), upto=dates.day)
    rows = rows.filter(rows.business_date.isin(window or [dates.day]))
    margins = rules["contribution"]["margins"]
    # What depends on the product only is worked out per account, on the join's build side (2.2M
    # rows at 1M customers), not per balance row (29M): the part 14.0 → 12.1 s. Integer fen ×
    # margin in 1/10000: exact on every engine, so sums do not depend on row order.
    kind = accounts.product_type
    margin = ibis.cases(*[(kind == t, int(Decimal(margins[t]) * 10000)) for t in PRODUCT_TYPES], else_=0)
    b = rows.join(
        accounts.select("account_id", "customer_no", is_aum=kind.isin(AUM_PRODUCT_TYPES), margin=margin), "account_id"
    )
    adb = b.avg_daily_balance.coalesce(b.balance)
    b = b.mutate(adb=adb, margin_e6=(adb * 100).cast("int64") * b.margin.cast("int64"))
    # One aggregation per customer with a filtered sum per month-end, not per customer-month first
    # and then per customer (with the holdings' own join below: this part 6.3 s → 5.6 s at 1M
    # customers × 13 months).

    def aum_on(day: dt.date) -> ir.Value:
        return b.balance.sum(where=b.is_aum & (b.business_date == day)).coalesce(_money(0))

    def at(k: int) -> ir.Value:
        return aum_on(dates.months[k]).cast(MONEY) if k in dates.months else ibis.null(MONEY)

    def mean_of(first: int, last: int) -> ir.Value:
        days = dates.averaged(first, last)
        total = b.adb.sum(where=b.is_aum & b.business_date.isin(days)).coalesce(0)
        return round_half_up(total.cast("float64") / len(days), 2)

    lags = {f"aum_{k}m": at(k) for k in AUM_LAGS}
    # Month-end AUM over the drawdown window, oldest first, for `_max_drawdown` (a row-wise pivot).
    window_12m = list(reversed(dates.window(0, 12) or [dates.day]))
    pivot = {f"_aum_{i}": aum_on(d) for i, d in enumerate(window_12m)}
    per_customer = b.group_by("customer_no").agg(
        aum=at(0),
        **lags,
        avg_daily_aum_3m=mean_of(0, 2).cast(MONEY),
        avg_daily_aum_3m_prev=mean_of(1, 3).cast(MONEY),
        # Summed, not averaged: `_contribution` divides exactly, by the same number of months.
        margin_income_e6=b.margin_e6.sum(where=b.business_date.isin(dates.averaged(0, 2))).coalesce(0),
        **pivot,
    )
    # Joined on its own (one month-end, not a filter of the 13 joined above, which DuckDB would
    # then keep as a materialized intermediate for both).
    current = rows.filter(rows.business_date == dates.months.get(0, dates.day))
    now = current.join(accounts, "account_id")
    open_ = now.status != "closed"
    holdings = now.group_by("customer_no").agg(
        product_count=now.product_code.nunique(where=open_).cast("int64"),
        **{f"bal_{t}": now.balance.sum(where=now.product_type == t).coalesce(_money(0)) for t in PRODUCT_TYPES},
    )
    joined = per_customer.left_join(holdings, "customer_no").drop("customer_no_right")
    return joined.mutate(max_drawdown_12m=_max_drawdown([joined[c] for c in pivot])).drop(*pivot)


def _max_drawdown(aums: list[ir.Value]) -> ir.FloatingValue:
    """Largest fall from a running month-end AUM peak over the last 12 months (0.25 = 25%).

    `aums` are one customer's month-end AUMs, oldest first, 0 for a month without an open
    account. Computed across columns rather than with a window over a customer × month grid:
    months before the first balance are 0 here, which changes no fall (a zero peak gives 0 and
    never raises a later positive peak), and a row-wise expression costs no sort or join.
    """
    falls = []
    for k, aum in enumerate(aums):
        peak = ibis.greatest(*aums[: k + 1]) if k else aum
        falls.append(ibis.cases((peak > 0, (peak - aum).cast("float64") / peak.cast("float64")), else_=0.0))
    return round_half_up(ibis.greatest(*falls) if len(falls) > 1 else falls[0], 4)


def month_of(day: ir.DateValue) -> ir.IntegerValue:
    """`month_index` of a date column."""
    return (day.year() * 12 + day.month() - 1).cast("int64")


def _transaction_pieces(con: ibis.BaseBackend, dates: Dates) -> tuple[ir.Table, ir.Table]:
    """The customer's own transactions of the 365-day window as pieces per (account, month, in the
    90-day window), and the possible salary credits of the behaviour months per (account, payer, month).

    Whole months come from the summaries written at import (`ingest/summaries.py`); raw rows are read
    only for a month a window cuts in two (the one holding D − 90 days, and D − 365 days in a leap
    year) and for a partition without a current summary. Sums, counts, maxima and month bits compose
    exactly, so the features equal those computed from raw rows alone (tests/analytics/test_summaries.py).
    """
    day = dates.day
    start, recent_from = day - dt.timedelta(days=365), day - dt.timedelta(days=90)
    first_day = {"365": start + dt.timedelta(days=1), "90": recent_from + dt.timedelta(days=1)}
    cut = {month_index(d) for d in first_day.values() if d.day != 1}
    parts = summaries.partitions(after=start, upto=day)
    unsummarised = [p.day for p in parts if p.summaries is None]
    raw_paths = [p.raw for p in parts if p.summaries is None or p.covers(cut)]
    columns = ("account_id", "txn_time", "amount", "direction", "channel", "txn_type", "counterparty")
    rows = scan(con, raw_paths, column_types("transactions", columns))
    rows = rows.mutate(day=rows.txn_time.date())
    rows = rows.filter(rows.day > start, rows.day <= day).mutate(month=month_of(rows.day))
    cut_months = sorted(cut) or [-1]  # -1: no month
    whole = rows.business_date.isin(unsummarised) if unsummarised else ibis.literal(False)
    own = rows.filter(whole | rows.month.isin(cut_months), ~rows.txn_type.isin(NON_CUSTOMER_TXN_TYPES))
    purchase = (own.txn_type == "purchase") & (own.direction == "D")
    outflow = (own.direction == "D") & own.txn_type.isin(OUTFLOW_TYPES)
    raw_pieces = own.group_by("account_id", "month", in_90=own.day > recent_from).agg(
        last_day=own.day.max(),
        n=own.count(),
        amount=own.amount.sum().cast(MONEY),
        purchases=own.amount.sum(where=purchase).cast(MONEY),
        **{f"n_{c}": own.count(where=own.channel == c) for c in CHANNELS},
        outflow=own.amount.sum(where=outflow).cast(MONEY),
        max_outflow=own.amount.max(where=outflow),
        payroll_n=own.count(where=(own.direction == "C") & (own.txn_type == "payroll")),
    )
    summarised = [p for p in parts if p.summaries is not None]
    kept = scan(con, [p.summaries["txn_account_months"] for p in summarised], summary_types("txn_account_months"))  # type: ignore[index]
    kept = kept.filter(kept.month >= month_index(first_day["365"]), ~kept.month.isin(cut_months))
    kept = kept.mutate(in_90=kept.month >= month_index(first_day["90"]))
    pieces = raw_pieces.union(kept.select(*raw_pieces.columns))
    six = month_index(day) - BEHAVIOUR_MONTHS
    credits = rows.filter(
        whole,
        rows.direction == "C",
        rows.txn_type.isin(("payroll", "transfer_in")),
        rows.counterparty.notnull(),
        rows.month > six,
    )
    raw_credits = credits.group_by("account_id", "counterparty", "month").agg(amount=credits.amount.sum().cast(MONEY))
    payers = scan(con, [p.summaries["txn_payer_months"] for p in summarised], summary_types("txn_payer_months"))  # type: ignore[index]
    payers = payers.filter(payers.month > six)
    return pieces, raw_credits.union(payers.select(*raw_credits.columns))


def summary_types(name: str) -> dict[str, dt_.DataType]:
    """A summary's columns as the pipeline types them (months and counts as int64, money as MONEY)."""
    money = {"amount", "purchases", "outflow", "max_outflow"}
    kinds = {"account_id": dt_.string, "counterparty": dt_.string, "month": dt_.int64, "last_day": dt_.date}
    return {c: kinds.get(c, MONEY if c in money else dt_.int64) for c in summaries.COLUMNS[name]}


def _transactions(con: ibis.BaseBackend, dates: Dates, accounts: ir.Table) -> tuple[ir.Table, ir.Table]:
    """RFM over 90/365 days, channel mix, card purchase volume, this month against the months
    before (outflows, payroll, card spend); payroll-like inflows over 6 months."""
    pieces, credits = _transaction_pieces(con, dates)
    # Month k of the behaviour columns is the calendar month k months before D's (0: D's own, up to D).
    k = month_index(dates.day) - pieces.month
    recent, purchases, outflow = pieces.in_90, pieces.purchases, pieces.outflow
    per_account = pieces.group_by("account_id").agg(
        last_txn_day=pieces.last_day.max(),
        frequency_90d=pieces.n.sum(where=recent).coalesce(0).cast("int64"),
        monetary_90d=pieces.amount.sum(where=recent),
        frequency_365d=pieces.n.sum().cast("int64"),
        monetary_365d=pieces.amount.sum(),
        purchases_365d=purchases.sum(),
        **{f"n_{c}": pieces[f"n_{c}"].sum().cast("int64") for c in CHANNELS},
        outflow_1m=outflow.sum(where=k == 0),
        outflow_prev3=outflow.sum(where=k.between(1, 3)),
        max_outflow_1m=pieces.max_outflow.max(where=k == 0),
        card_1m=purchases.sum(where=k == 0),
        card_prev3=purchases.sum(where=k.between(1, 3)),
        payroll_1m=pieces.payroll_n.sum(where=k == 0).coalesce(0).cast("int64"),
        # Bit k set: a payroll credit in behaviour month k (one OR instead of a count per month).
        payroll_bits=bit_or(bit(k), where=(pieces.payroll_n > 0) & (k < BEHAVIOUR_MONTHS)),
    )
    t = per_account.join(accounts.select("account_id", "customer_no", "product_type"), "account_id")
    card = t.product_type == "credit_card"
    a = t.group_by("customer_no").agg(
        last_txn_day=t.last_txn_day.max(),
        frequency_90d=t.frequency_90d.sum(),
        monetary_90d=t.monetary_90d.sum().coalesce(_money(0)),
        frequency_365d=t.frequency_365d.sum(),
        monetary_365d=t.monetary_365d.sum().coalesce(_money(0)),
        card_spend_365d=t.purchases_365d.sum(where=card).coalesce(_money(0)),
        **{f"n_{c}": t[f"n_{c}"].sum() for c in CHANNELS},
        outflow_1m=t.outflow_1m.sum().coalesce(_money(0)),
        outflow_prev3=t.outflow_prev3.sum().coalesce(_money(0)),
        max_outflow_1m=t.max_outflow_1m.max().coalesce(_money(0)),
        card_1m=t.card_1m.sum(where=card).coalesce(_money(0)),
        card_prev3=t.card_prev3.sum(where=card).coalesce(_money(0)),
        payroll_1m=t.payroll_1m.sum(),
        payroll_bits=bit_or(t.payroll_bits),
    )
    previous_months = sum(1 << k for k in range(1, BEHAVIOUR_MONTHS))
    activity = a.mutate(
        outflow_prev3=round_half_up(a.outflow_prev3.cast("float64") / 3, 2).cast(MONEY),
        card_prev3=round_half_up(a.card_prev3.cast("float64") / 3, 2).cast(MONEY),
        payroll_months_prev=bit_count(a.payroll_bits.coalesce(0) & previous_months).cast("int64"),
    ).drop("payroll_bits")
    # The months a payer paid, as bits (bit k = k months before D's month): OR-ed per account, then
    # per customer, and counted — instead of a distinct count of months per customer and payer.
    p = credits.mutate(month_bit=bit(month_index(dates.day) - credits.month))
    p = p.group_by(["account_id", "counterparty"]).agg(bits=bit_or(p.month_bit), amount=p.amount.sum())
    p = p.join(accounts.select("account_id", "customer_no"), "account_id")
    payers = p.group_by(["customer_no", "counterparty"]).agg(bits=bit_or(p.bits), amount=p.amount.sum())
    payers = payers.mutate(months=bit_count(payers.bits).cast("int64"))
    payroll = payers.group_by("customer_no").agg(
        payroll_months_6m=payers.months.max().cast("int64"),
        regular_inflow_6m=payers.amount.sum(where=payers.months >= PAYROLL_MIN_MONTHS).coalesce(_money(0)),
    )
    return activity, payroll


def _competitors(con: ibis.BaseBackend, day: dt.date, products: ir.Table) -> ir.Table:
    """Competitor products known to be held (not yet matured) and the next maturity date."""
    h = as_of(
        lake_table(
            con, "external_holdings", ("holding_id", "customer_no", "product_code", "amount", "maturity_date"), upto=day
        ),
        "holding_id",
    )
    p = products.select("product_code", "issuer", product_maturity="maturity_date")
    h = h.join(p, "product_code")
    h = h.mutate(matures=h.maturity_date.coalesce(h.product_maturity))
    h = h.filter(h.issuer != OWN_BANK_ISSUER, h.matures.isnull() | (h.matures >= day))
    return h.group_by("customer_no").agg(
        competitor_products=h.count(),
        competitor_amount=h.amount.sum().cast(MONEY),
        next_competitor_maturity=h.matures.min(),
    )


def _contribution(f: ir.Table, months: int, contribution: dict) -> ir.Value:
    """Balance margin income (its monthly mean over `months`) + card interchange − service cost,
    rounded half away from zero to the fen — in whole millionths of a yuan, so every engine rounds
    alike: with doubles, a value ending in exactly half a fen (card spend × 0.45 % often does) was
    rounded up by DuckDB and down by Spark (176 of 1M customers a fen apart)."""
    interchange = int(Decimal(contribution["card_interchange"]) * 10000)  # per fen → millionths of a yuan
    service = int(Decimal(contribution["service_cost"]) * 10**6)
    card_fen = (f.card_spend_365d.coalesce(_money(0)) * 100).cast("int64")
    scaled = f.margin_income_e6.coalesce(0).cast("int64") + months * (card_fen * interchange - service)  # × months
    unit = months * 10_000  # one fen, × months
    fen = ((scaled.abs() * 2 + unit) // (2 * unit)).cast("int64") * scaled.sign().cast("int64")
    return (fen.cast(dt_.Decimal(18, 0)) * _money("0.01")).cast(MONEY)


def customer_features(con: ibis.BaseBackend, dates: Dates, rules: dict) -> ir.Table:
    """The feature table as of `dates.day` (one row per customer, sorted by nothing)."""
    day = dates.day
    customers, products, accounts = _dimensions(con, day)
    accounts = materialize(con, accounts)
    balances = _balances(con, dates, accounts, rules)
    activity, payroll = _transactions(con, dates, accounts)
    competitors = _competitors(con, day, products)
    f = customers
    for part in (balances, activity, payroll, competitors):
        part = materialize(con, part)
        f = f.left_join(part, "customer_no").drop("customer_no_right")
    zero = _money(0)
    profit = _contribution(f, len(dates.averaged(0, 2)), rules["contribution"])
    epoch = (day - dt.date(1970, 1, 1)).days
    counts = {
        "frequency_90d",
        "frequency_365d",
        "product_count",
        "payroll_months_6m",
        "competitor_products",
        "payroll_1m",
        "payroll_months_prev",
    }
    money = [
        c
        for c in f.columns
        if c.startswith(("bal_", "monetary", "card_", "regular", "competitor_a", "outflow_", "max_outflow"))
    ]
    out = f.mutate(
        tenure_days=(epoch - f.onboarded_on.epoch_days()).cast("int64"),
        recency_days=(epoch - f.last_txn_day.epoch_days()).cast("int64"),
        last_transaction_on=f.last_txn_day,
        **{c: f[c].coalesce(0).cast("int64") for c in counts},
        **{c: f[c].coalesce(zero).cast(MONEY) for c in money},
        aum=f.aum.coalesce(zero).cast(MONEY),
        avg_daily_aum_3m=f.avg_daily_aum_3m.coalesce(zero),
        avg_daily_aum_3m_prev=f.avg_daily_aum_3m_prev.coalesce(zero),
        max_drawdown_12m=f.max_drawdown_12m.coalesce(0.0),
        **{f"share_{c}": _ratio(f[f"n_{c}"].coalesce(0), f.frequency_365d.coalesce(0)) for c in CHANNELS},
        has_payroll=f.payroll_months_6m.coalesce(0) >= PAYROLL_MIN_MONTHS,
        contribution=profit,
    )
    # A customer with no balance row k months ago had AUM 0 then, if the lake has that month.
    out = out.mutate(
        **{
            f"aum_{k}m": (out[f"aum_{k}m"].coalesce(zero) if k in dates.months else out[f"aum_{k}m"]).cast(MONEY)
            for k in AUM_LAGS
        },
    )
    out = out.mutate(**{f"aum_change_{k}m": (out.aum - out[f"aum_{k}m"]).cast(MONEY) for k in AUM_LAGS})
    return out.drop("onboarded_on", "last_txn_day", "margin_income_e6", *[f"n_{c}" for c in CHANNELS])
