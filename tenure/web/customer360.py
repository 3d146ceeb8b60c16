"""Everything the customer 360° page shows, assembled from scoped selectors in one call.

The snapshot strip at the top of the page (`Snapshot`) gathers what an RM must know before
talking to the customer from the apps that own each fact: tier changes (analytics), churn score
and alerts (churn), open complaints (complaints), interactions (contacts), own-product maturities
(customers) and the birthday (core festivals). It is the page layer's: it sits above every app it
reads, which all build on `customers` (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tenure.analytics.models import AssetTier, TierEvent
from tenure.analytics.portfolio import Holding, customer_portfolio, customer_tier
from tenure.analytics.selectors import tier_history
from tenure.churn.selectors import customer_alerts
from tenure.churn.services import ensure_reasons
from tenure.complaints.models import OPEN_STATUSES, Complaint
from tenure.complaints.selectors import customer_complaints
from tenure.contacts.models import Interaction
from tenure.contacts.selectors import interactions_for
from tenure.core.festivals import anniversaries_between
from tenure.customers.display import masked_account_numbers, masked_customer_identifiers
from tenure.customers.models import CONSENT_FIELDS, Account, Customer, ExternalHolding
from tenure.customers.selectors import Maturity, account_list, holding_list, maturities_between
from tenure.org.permissions import Perm, has_perm

MATURITY_DAYS = 30  # the strip lists own-product maturities this many days ahead
BIRTHDAY_DAYS = 7  # and a birthday this many days ahead
BANDS = {"high": _("High"), "medium": _("Medium"), "low": _("Low")}


@dataclass(frozen=True)
class AccountRow:
    """An account as the page shows it: masked numbers and the latest month-end balance (yuan; None
    when the lake holds none)."""

    account: Account
    numbers: dict[str, str]
    balance: Decimal | None = None


@dataclass
class Snapshot:
    """The strip at the top of the 360° page. `complaints_visible` is false for roles that do not see
    complaints (then `open_complaints` is empty); `churn_reason` is the score's top reason in the
    interface language."""

    today: dt.date
    tier_change: TierEvent | None = None
    churn_band: str = ""
    churn_probability: float | None = None
    churn_reason: str = ""
    profiling_refused: bool = False
    alerts: int = 0
    alert_due: dt.date | None = None
    complaints_visible: bool = False
    open_complaints: list[Complaint] = field(default_factory=list)
    last_contact: Interaction | None = None
    next_follow_up: Interaction | None = None
    maturities: list[Maturity] = field(default_factory=list)
    birthday: dt.date | None = None

    @property
    def churn_band_label(self) -> str:
        return str(BANDS.get(self.churn_band, self.churn_band))

    @property
    def maturing_amount(self) -> Decimal:
        return sum((m.amount or Decimal("0") for m in self.maturities), Decimal("0"))

    @property
    def birthday_in_days(self) -> int | None:
        return None if self.birthday is None else (self.birthday - self.today).days


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
    snapshot: Snapshot

    def chart_holdings(self) -> list[dict]:
        """AUM holdings as ECharts pie items (loans and cards are not assets, so not in the pie)."""
        return [{"name": h.label, "value": float(h.amount)} for h in self.holdings if h.is_aum and h.amount > 0]


def tenure_years(onboarded_on: dt.date, today: dt.date | None = None) -> int:
    """Whole years since onboarding."""
    today = today or timezone.localdate()
    years = today.year - onboarded_on.year - ((today.month, today.day) < (onboarded_on.month, onboarded_on.day))
    return max(years, 0)


def _top_reason(score) -> str:
    """The first reason of a churn score in the interface language (reasons are worked out on first view)."""
    ensure_reasons([score])
    reasons = score.reasons or []
    if not reasons:
        return ""
    lang = "zh" if (get_language() or "zh").startswith("zh") else "en"
    return str(reasons[0].get(lang, ""))


def _next_birthday(customer: Customer, today: dt.date) -> dt.date | None:
    """The customer's birthday within `BIRTHDAY_DAYS` (by the lunar calendar when they keep it so)."""
    if customer.birth_date is None:
        return None
    end = today + dt.timedelta(days=BIRTHDAY_DAYS)
    found = anniversaries_between(customer.birth_date, today, end, lunar=customer.lunar_birthday)
    return found[0] if found else None


def customer_snapshot(*, user, customer: Customer, today: dt.date | None = None) -> Snapshot:
    """What the strip shows for `customer` (in scope) as `user` may see it, as of `today`."""
    today = today or timezone.localdate()
    snap = Snapshot(today=today)
    history = tier_history(customer_no=customer.customer_no)
    snap.tier_change = history[0] if history else None
    score, alerts = customer_alerts(user=user, customer=customer)
    snap.profiling_refused = not customer.consent_profiling
    if score is not None:
        snap.churn_band, snap.churn_probability = score.band, score.probability
        snap.churn_reason = _top_reason(score)
    snap.alerts = len(alerts)
    snap.alert_due = min((a.due_on for a in alerts), default=None)
    snap.complaints_visible = has_perm(user, Perm.COMPLAINTS_VIEW)
    if snap.complaints_visible:
        snap.open_complaints = [
            c for c in customer_complaints(user=user, customer=customer) if c.status in OPEN_STATUSES
        ]
    notes = interactions_for(user=user, customer=customer)
    snap.last_contact = notes.first()
    snap.next_follow_up = notes.filter(follow_up_on__gte=today).order_by("follow_up_on", "-created_at").first()
    one = Customer.objects.filter(pk=customer.pk)
    snap.maturities = maturities_between(one, today, today + dt.timedelta(days=MATURITY_DAYS))
    snap.birthday = _next_birthday(customer, today)
    return snap


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
        accounts=[AccountRow(a, masked_account_numbers(a), portfolio.balances.get(a.account_id)) for a in accounts],
        competitor_holdings=list(holding_list(user=user, customer=customer)),
        snapshot=customer_snapshot(user=user, customer=customer),
    )
