"""Everything the customer 360° page shows, assembled from scoped selectors in one call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from tenure.analytics.models import AssetTier
from tenure.customers.display import masked_account_numbers, masked_customer_identifiers
from tenure.customers.models import Account, Customer, ExternalHolding
from tenure.customers.portfolio import Holding, customer_portfolio, customer_tier
from tenure.customers.selectors import account_list, holding_list

CONSENT_FIELDS = (
    "consent_sms",
    "consent_email",
    "consent_phone",
    "consent_push",
    "consent_marketing",
    "consent_profiling",
)


@dataclass(frozen=True)
class AccountRow:
    account: Account
    numbers: dict[str, str]


@dataclass
class Customer360:
    customer: Customer
    identifiers: dict[str, str]
    tier: AssetTier
    tier_official: bool
    aum: Decimal
    tenure_years: int
    consents: list[tuple[str, bool]]
    aum_series: list[tuple[dt.date, Decimal]]
    holdings: list[Holding]
    accounts: list[AccountRow]
    competitor_holdings: list[ExternalHolding]

    def chart_holdings(self) -> list[dict]:
        """AUM holdings as ECharts pie items (loans and cards are not assets, so not in the pie)."""
        return [{"name": h.label, "value": float(h.amount)} for h in self.holdings if h.is_aum and h.amount > 0]


def tenure_years(onboarded_on: dt.date, today: dt.date | None = None) -> int:
    """Whole years since onboarding."""
    today = today or timezone.localdate()
    years = today.year - onboarded_on.year - ((today.month, today.day) < (onboarded_on.month, onboarded_on.day))
    return max(years, 0)


def customer_360(*, user, customer: Customer) -> Customer360:
    """The 360° view of `customer` (already fetched through `customer_get`, so in scope)."""
    accounts = list(account_list(user=user, customer=customer))
    portfolio = customer_portfolio(customer, accounts)
    series = portfolio.aum_series
    aum = series[-1][1] if series else Decimal("0")
    labels = {f.name: f.verbose_name for f in Customer._meta.fields if f.name in CONSENT_FIELDS}
    tier, official = customer_tier(customer, aum)
    return Customer360(
        customer=customer,
        identifiers=masked_customer_identifiers(customer),
        tier=tier,
        tier_official=official,
        aum=aum,
        tenure_years=tenure_years(customer.onboarded_on),
        consents=[(str(labels[name]), getattr(customer, name)) for name in CONSENT_FIELDS],
        aum_series=series,
        holdings=portfolio.holdings,
        accounts=[AccountRow(a, masked_account_numbers(a)) for a in accounts],
        competitor_holdings=list(holding_list(user=user, customer=customer)),
    )
