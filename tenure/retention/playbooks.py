"""The three retention playbooks (docs/churn.md), attached to each churn alert by its cause.

* product-oriented: compare the competitor product with ours (counter-offer), notify 7 days before
  its maturity, warn about the tier downgrade, the retention lottery;
* consumption-oriented: loan-product folders, anticipate asset changes, lobby → RM handoff;
* service-oriented: the branch head calls core customers whose satisfaction fell, apologises,
  and the lobby's comfort area for everyone else.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tenure.customers.models import OWN_BANK, Account, Customer, ExternalHolding, Product, ProductType
from tenure.offers.suitability import customer_facts, suitable, suitable_products

PRODUCT, CONSUMPTION, SERVICE = "product", "consumption", "service"
KINDS = {
    PRODUCT: _("Product-oriented"),
    CONSUMPTION: _("Consumption-oriented"),
    SERVICE: _("Service-oriented"),
}
KIND_OF_CAUSE = {
    "competitor_maturity": PRODUCT,
    "aum_drop": PRODUCT,
    "tier_downgrade": PRODUCT,
    "rate_sensitive": PRODUCT,
    "large_withdrawal": CONSUMPTION,
    "card_spend_collapse": CONSUMPTION,
    "dormant_payroll": CONSUMPTION,
    "relocation": SERVICE,
    "satisfaction_decline": SERVICE,
}
STEPS = {
    PRODUCT: (
        _("Compare the competitor product with ours (name, yield, term) and prepare the counter-offer below."),
        _("Call the customer 7 days before the competitor product matures, with our product ready to take the money."),
        _("Explain that a lower tier means fewer services and privileges."),
        _("Invite the customer to the retention lottery: back at last month's AUM this month means a draw ticket."),
    ),
    CONSUMPTION: (
        _("Show the loan product folders below when the customer next visits."),
        _("Ask about planned purchases and maturities; recommend our loan before the assets move."),
        _("Lobby manager: hand the customer over to the RM to present loan products (record a handoff)."),
        _("Explain that a lower tier means fewer services and privileges."),
    ),
    SERVICE: (
        _("Branch head: call core customers whose satisfaction fell and ask why."),
        _("Core customers: the branch head apologises by phone or in person."),
        _("Everyone else: welcome them to the lobby comfort area; the lobby manager keeps an eye on them."),
        _("Moving away: offer mobile and online banking so the move does not end the relationship."),
    ),
}
HORIZON_DAYS = 90  # "anticipated asset changes": maturities in the next three months


@dataclass
class Playbook:
    kind: str
    label: str
    steps: tuple
    competitor: ExternalHolding | None = None
    offer: Product | None = None
    # No counter-offer although we have comparable products: none is suitable for this customer.
    offer_unsuitable: bool = False
    reassess: bool = False  # … and a new risk assessment is (one of) the things missing
    loans: list[Product] = field(default_factory=list)
    changes: list[tuple[dt.date, str, str]] = field(default_factory=list)  # (date, product, ours/competitor)


def _ours(on: dt.date) -> QuerySet[Product]:
    """Our rated products not matured by `on`, by code."""
    return (
        Product.objects.filter(issuer=OWN_BANK, rate__isnull=False)
        .exclude(maturity_date__lte=on)
        .select_related("terms")
        .order_by("code")
    )


def _comparable(competitor: Product, on: dt.date) -> list[Product]:
    """Our rated products of the competitor's type not matured by `on`, by code."""
    return list(_ours(on).filter(product_type=competitor.product_type))


def _closest(competitor: Product, products: list[Product]) -> Product | None:
    """The closest term among those paying at least the competitor's rate (ties: higher rate), else
    the best rate (ties: closest term). None without any."""
    # (product, rate) pairs: the query keeps rated products only; the `is not None` says so to mypy.
    ours = [(p, p.rate) for p in products if p.rate is not None]
    if not ours:
        return None
    term = competitor.term_months or 0

    def distance(p: Product) -> int:
        return abs((p.term_months or 0) - term)

    if competitor.rate is not None:
        matching = [(p, rate) for p, rate in ours if rate >= competitor.rate]
        if matching:
            return min(matching, key=lambda pr: (distance(pr[0]), -pr[1]))[0]
    return min(ours, key=lambda pr: (-pr[1], distance(pr[0])))[0]


def comparable_products(competitors: Iterable[Product], on: dt.date) -> list[tuple[Product, Product | None]]:
    """(competitor, our product of the same type that compares best with it) for each of
    `competitors`, for no one in particular: the competitor-products table (a comparison, never an
    offer; it shows the risk level, and the offer to a customer is `counter_offer`). Our products are
    read once, not once a row."""
    by_type: dict[str, list[Product]] = defaultdict(list)
    for product in _ours(on):
        by_type[product.product_type].append(product)
    return [(c, _closest(c, by_type[c.product_type])) for c in competitors]


def counter_offer(competitor: Product, customer: Customer, on: dt.date) -> Product | None:
    """The counter-offer to `customer`: `comparable_products`' choice among our products that pass
    `offers.suitability.suitable` for this customer on `on` (in person). None when none does."""
    return _closest(competitor, suitable_products(customer, _comparable(competitor, on), on))


def _why_none(competitor: Product, customer: Customer, on: dt.date) -> tuple[bool, bool]:
    """(comparable products exist but none is suitable, a new assessment would help)."""
    products = _comparable(competitor, on)
    if not products:
        return False, False
    facts = customer_facts(customer, on)
    verdicts = [suitable(customer, p, on, facts=facts) for p in products]
    return True, any(v.reassess for v in verdicts)


def loan_products(customer: Customer, on: dt.date) -> list[Product]:
    """Our loan and credit-card products suitable for `customer` on `on` (the loan "folder" of
    docs/churn.md), at most six."""
    kinds = (ProductType.LOAN, ProductType.CREDIT_CARD)
    products = list(
        Product.objects.filter(issuer=OWN_BANK, product_type__in=kinds)
        .select_related("terms")
        .order_by("product_type", "code")
    )
    return suitable_products(customer, products, on)[:6]


def asset_changes(customer, today: dt.date) -> list[tuple[dt.date, str, str]]:
    """Maturities of own and competitor products in the next `HORIZON_DAYS` days: when money will move."""
    until = today + dt.timedelta(days=HORIZON_DAYS)
    window = Q(maturity_date__gte=today, maturity_date__lte=until)
    own = Account.objects.filter(customer=customer, status="active").filter(
        Q(product__maturity_date__gte=today, product__maturity_date__lte=until)
    )
    # Both queries keep dated rows only; the `is not None` says so to mypy.
    rows = [
        (a.product.maturity_date, a.product.name, "ours")
        for a in own.select_related("product")
        if a.product.maturity_date is not None
    ]
    rows += [
        (h.maturity_date, h.product.name, "competitor")
        for h in ExternalHolding.objects.filter(customer=customer).filter(window).select_related("product")
        if h.maturity_date is not None
    ]
    return sorted(rows, key=lambda r: r[0])


def playbook_for(alert, today: dt.date, *, on: dt.date | None = None) -> Playbook:
    """The playbook for one alert of a customer the caller may see (the caller scoped the alert).

    `today` is the business date (maturities ahead); `on` the day products are proposed, for
    suitability (default `today`; the panel passes the calendar day)."""
    on = on or today
    kind = KIND_OF_CAUSE.get(alert.cause, SERVICE)
    book = Playbook(kind=kind, label=str(KINDS[kind]), steps=STEPS[kind])
    if kind == PRODUCT:
        holdings = ExternalHolding.objects.filter(customer=alert.customer).select_related("product")
        # The next maturity to come (the one to prepare for), else the latest one known.
        holding = (
            holdings.filter(maturity_date__gte=today).order_by("maturity_date", "holding_id").first()
            or holdings.order_by("-maturity_date", "holding_id").first()
        )
        book.competitor = holding
        book.offer = counter_offer(holding.product, alert.customer, on) if holding else None
        if holding and book.offer is None:
            book.offer_unsuitable, book.reassess = _why_none(holding.product, alert.customer, on)
    elif kind == CONSUMPTION:
        book.loans = loan_products(alert.customer, on)
        book.changes = asset_changes(alert.customer, today)
    return book
