"""The three retention playbooks (docs/churn.md), attached to each churn alert by its cause.

* product-oriented: compare the competitor product with ours (counter-offer), notify 7 days before
  its maturity, warn about the tier downgrade, the retention lottery;
* consumption-oriented: loan-product folders, anticipate asset changes, lobby → RM handoff;
* service-oriented: the branch head calls core customers whose satisfaction fell, apologises,
  and the lobby's comfort area for everyone else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenure.customers.models import OWN_BANK, Account, ExternalHolding, Product, ProductType

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
    loans: list[Product] = field(default_factory=list)
    changes: list[tuple[dt.date, str, str]] = field(default_factory=list)  # (date, product, ours/competitor)


def counter_offer(competitor: Product) -> Product | None:
    """Our product of the same type: the closest term among those paying at least the competitor's
    rate (ties: higher rate), else the best rate we have (ties: closest term). None without any."""
    products = (
        Product.objects.filter(issuer=OWN_BANK, product_type=competitor.product_type, rate__isnull=False)
        .exclude(maturity_date__lt=dt.date.today())
        .order_by("code")
    )
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


def loan_products() -> list[Product]:
    """Our loan and credit-card products (the loan "folder" of docs/churn.md)."""
    kinds = (ProductType.LOAN, ProductType.CREDIT_CARD)
    return list(Product.objects.filter(issuer=OWN_BANK, product_type__in=kinds).order_by("product_type", "code")[:6])


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


def playbook_for(alert, today: dt.date) -> Playbook:
    """The playbook for one alert of a customer the caller may see (the caller scoped the alert)."""
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
        book.offer = counter_offer(holding.product) if holding else None
    elif kind == CONSUMPTION:
        book.loans = loan_products()
        book.changes = asset_changes(alert.customer, today)
    return book
