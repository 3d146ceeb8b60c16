"""AUM, holdings and tiers for one customer or a set of them (a book, a branch, the bank).

Amounts are yuan (Decimal). Balances come from the lake; which accounts count is decided here
from the operational DB. Callers pass customers from a scoped selector.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from tenure import lake
from tenure.analytics.config import AUM_PRODUCT_TYPES, active_config
from tenure.analytics.models import AssetTier
from tenure.analytics.selectors import customer_value, published_date
from tenure.analytics.tiers import asset_tier_for
from tenure.customers.models import Account, Customer, ProductType

ZERO = Decimal("0")


def _aum_accounts(customers: QuerySet | list[Customer]) -> QuerySet:
    return Account.objects.filter(customer__in=customers, product__product_type__in=AUM_PRODUCT_TYPES)


@dataclass(frozen=True)
class Holding:
    product_type: str
    label: str
    amount: Decimal
    accounts: int
    is_aum: bool


@dataclass(frozen=True)
class CustomerPortfolio:
    """A customer's AUM at each month-end (oldest first), holdings by product type and each account's
    balance at the latest."""

    aum_series: list[tuple[dt.date, Decimal]]
    holdings: list[Holding]
    balances: dict[str, Decimal] = field(default_factory=dict)  # account_id -> yuan at the latest month-end


def customer_portfolio(
    customer: Customer, accounts: list[Account] | None = None, months: int = 13
) -> CustomerPortfolio:
    """One lake read for both: balances of all the customer's accounts over `months` month-ends.

    AUM counts deposit and investment products only (closed accounts too, for the months they
    were open); holdings show open accounts of every type, loans and cards flagged as not AUM.
    """
    if accounts is None:
        accounts = list(customer.accounts.select_related("product"))
    by_date = lake.balances_by_date([a.account_id for a in accounts], months)
    aum_ids = {a.account_id for a in accounts if a.product.product_type in AUM_PRODUCT_TYPES}
    series = [(day, sum((v for k, v in bal.items() if k in aum_ids), ZERO)) for day, bal in sorted(by_date.items())]
    latest = by_date[max(by_date)] if by_date else {}
    totals: dict[str, Decimal] = {}
    counts: Counter[str] = Counter()
    for account in accounts:
        if account.status == "closed":
            continue
        kind = account.product.product_type
        totals[kind] = totals.get(kind, ZERO) + latest.get(account.account_id, ZERO)
        counts[kind] += 1
    labels = dict(ProductType.choices)
    holdings = [
        Holding(kind, str(labels.get(kind, kind)), totals[kind], counts[kind], kind in AUM_PRODUCT_TYPES)
        for kind in ProductType.values
        if kind in totals
    ]
    return CustomerPortfolio(series, holdings, latest)


def customer_aum_series(customer: Customer, months: int = 13) -> list[tuple[dt.date, Decimal]]:
    """AUM (yuan) at each of the latest `months` month-ends, oldest first."""
    return customer_portfolio(customer, months=months).aum_series


def customers_aum(customers: list[Customer]) -> dict[str, Decimal]:
    """Customer number -> AUM (yuan) at the latest month-end in the lake, 0 without one: the last
    figure of `customer_aum_series` for a page of customers, in one DB and one lake read."""
    accounts = list(_aum_accounts(customers).values_list("customer_id", "account_id"))
    by_date = lake.balances_by_date([account_id for _, account_id in accounts], months=1)
    latest = by_date[max(by_date)] if by_date else {}
    totals = {customer.customer_no: ZERO for customer in customers}
    for customer_no, account_id in accounts:
        totals[customer_no] += latest.get(account_id, ZERO)
    return totals


def customer_holdings(customer: Customer) -> list[Holding]:
    """Balances (yuan) by product type at the latest month-end."""
    return customer_portfolio(customer).holdings


@dataclass
class Mover:
    customer: Customer
    aum: Decimal
    change: Decimal


@dataclass
class BookSummary:
    """A set of customers at the latest month-end compared with the one before."""

    customers: int = 0
    as_of: dt.date | None = None
    aum: Decimal = ZERO
    aum_previous: Decimal = ZERO
    tier_mix: dict[str, int] = field(default_factory=dict)
    movers_up: list[Mover] = field(default_factory=list)
    movers_down: list[Mover] = field(default_factory=list)

    @property
    def aum_change(self) -> Decimal:
        return self.aum - self.aum_previous

    @property
    def aum_change_pct(self) -> float | None:
        return float(self.aum_change / self.aum_previous * 100) if self.aum_previous else None


def book_summary(customers: QuerySet, movers: int = 5) -> BookSummary:
    """Count, AUM and its monthly change, tier mix and top movers of `customers` (a scoped queryset).

    Reads the nightly pipeline's per-customer results when they are published (one indexed SQL
    aggregate); before the first nightly run, sums the latest two month-ends from the lake.
    """
    day = published_date()
    if day is not None:
        return _summary_from_nightly(customers, day, movers)
    return _summary_from_lake(customers, movers)


def _summary_from_nightly(customers: QuerySet, day: dt.date, movers: int) -> BookSummary:
    totals = customers.aggregate(n=Count("pk"), aum=Sum("value__aum"), change=Sum("value__aum_change_1m"))
    summary = BookSummary(customers=totals["n"], as_of=day, aum=totals["aum"] or ZERO)
    summary.aum_previous = summary.aum - (totals["change"] or ZERO)
    tiers = Counter(
        {
            row["value__asset_tier"] or AssetTier.STANDARD: row["n"]
            for row in customers.order_by().values("value__asset_tier").annotate(n=Count("pk"))
        }
    )
    summary.tier_mix = {tier: tiers.get(tier, 0) for tier in AssetTier.values}
    with_value = customers.select_related("value")
    summary.movers_up = [
        Mover(c, c.value.aum, c.value.aum_change_1m)
        for c in with_value.filter(value__aum_change_1m__gt=0).order_by("-value__aum_change_1m")[:movers]
    ]
    summary.movers_down = [
        Mover(c, c.value.aum, c.value.aum_change_1m)
        for c in with_value.filter(value__aum_change_1m__lt=0).order_by("value__aum_change_1m")[:movers]
    ]
    return summary


def _summary_from_lake(customers: QuerySet, movers: int) -> BookSummary:
    pairs = list(_aum_accounts(customers).values_list("account_id", "customer_id"))
    by_date = lake.aum_by_owner(pairs, months=2)
    dates = sorted(by_date)
    latest = by_date[dates[-1]] if dates else {}
    previous = by_date[dates[-2]] if len(dates) > 1 else {}
    summary = BookSummary(customers=customers.count(), as_of=dates[-1] if dates else None)
    summary.aum = sum(latest.values(), ZERO)
    summary.aum_previous = sum(previous.values(), ZERO)
    config = active_config()
    tiers = Counter(asset_tier_for(v, config) for v in latest.values())
    tiers[AssetTier.STANDARD] += max(summary.customers - len(latest), 0)  # no AUM at all
    summary.tier_mix = {tier: tiers.get(tier, 0) for tier in AssetTier.values}
    changes = sorted((latest.get(c, ZERO) - previous.get(c, ZERO), c) for c in set(latest) | set(previous))
    ups = [(d, c) for d, c in reversed(changes) if d > 0][:movers]
    downs = [(d, c) for d, c in changes if d < 0][:movers]
    found = {c.customer_no: c for c in customers.filter(customer_no__in={c for _, c in ups + downs})}
    summary.movers_up = [Mover(found[c], latest.get(c, ZERO), d) for d, c in ups if c in found]
    summary.movers_down = [Mover(found[c], latest.get(c, ZERO), d) for d, c in downs if c in found]
    return summary


def aum_by_rm(customers: QuerySet) -> dict[str, Decimal]:
    """Latest AUM per RM employee number over `customers` (a scoped queryset)."""
    if published_date() is not None:
        rows = customers.exclude(rm_id=None).order_by().values("rm_id").annotate(aum=Sum("value__aum"))
        return {row["rm_id"]: row["aum"] or ZERO for row in rows}
    pairs = [(a, rm) for a, rm in _aum_accounts(customers).values_list("account_id", "customer__rm_id") if rm]
    by_date = lake.aum_by_owner(pairs, months=1)
    return next(iter(by_date.values()), {})


def customer_tier(customer: Customer, aum: Decimal) -> tuple[AssetTier, bool]:
    """(tier, official): the tier the latest nightly published, else the active tier rules applied
    to `aum` (yuan, the latest month-end) — provisional until a nightly has run."""
    value = customer_value(customer_no=customer.customer_no)
    if value is not None:
        return AssetTier(value.asset_tier), True
    return AssetTier(asset_tier_for(aum, active_config())), False
