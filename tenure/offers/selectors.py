"""Reads of the offers app: the catalogue, a customer's assessments and which products are offered.

The customer comes from a scoped selector (`customers.selectors.customer_get`); nothing here widens
what the caller may see. Products and their terms hold no customer data (not scoped).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tenure.customers.models import OWN_BANK, Customer, Product
from tenure.offers.models import RiskAssessment
from tenure.offers.suitability import Assessment, Verdict, customer_facts, suitable


def own_products(on: dt.date) -> QuerySet[Product]:
    """Our products not matured by `on` (with their catalogue terms), by type and code."""
    return (
        Product.objects.filter(issuer=OWN_BANK)
        .filter(Q(maturity_date__isnull=True) | Q(maturity_date__gt=on))
        .select_related("terms")
        .order_by("product_type", "code")
    )


def catalogue() -> QuerySet[Product]:
    """Every product of ours with its terms (the catalogue page), matured ones included."""
    return Product.objects.filter(issuer=OWN_BANK).select_related("terms").order_by("product_type", "code")


def assessment_history(customer: Customer) -> QuerySet[RiskAssessment]:
    """The assessments recorded in Tenure for a customer the caller has scoped, newest first."""
    return RiskAssessment.objects.filter(customer_id=customer.customer_no).select_related("recorded_by")


@dataclass(frozen=True)
class CustomerOffers:
    """Our active products split by `suitable`: offered (empty reasons) and not offered (reasons)."""

    on: dt.date
    assessment: Assessment | None
    offers: list[Verdict]
    not_offered: list[Verdict]

    @property
    def reassess(self) -> bool:
        """No current assessment: investment products wait for a new one."""
        return self.assessment is None or not self.assessment.current_on(self.on)


def offers_for(customer: Customer, on: dt.date, channel: str | None = None) -> CustomerOffers:
    """Every active product of ours for `customer` (already scoped by the caller), each through `suitable`."""
    facts = customer_facts(customer, on)
    verdicts = [suitable(customer, p, on, channel, facts=facts) for p in own_products(on)]
    return CustomerOffers(
        on=on,
        assessment=facts.assessment,
        offers=[v for v in verdicts if v.ok],
        not_offered=[v for v in verdicts if not v.ok],
    )
