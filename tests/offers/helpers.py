"""Small builders for the offers tests (products, terms, assessments)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tenure.customers.models import Product
from tenure.offers.models import ProductTerms, RiskAssessment
from tenure.offers.suitability import default_expiry


def product(code: str, kind: str = "wealth", risk: str = "R2", **extra) -> Product:
    fields = {"rate": None, "term_months": None, "issuer": "BANK", "maturity_date": None, **extra}
    if fields["rate"] is not None:
        fields["rate"] = Decimal(fields["rate"])
    return Product.objects.create(code=code, name=code, product_type=kind, risk_rating=risk, **fields)


def terms(p: Product, **fields) -> ProductTerms:
    return ProductTerms.objects.create(product=p, **fields)


def assessed(customer, level: str = "C3", on: dt.date = dt.date(2026, 1, 5), **extra) -> RiskAssessment:
    return RiskAssessment.objects.create(
        customer=customer,
        level=level,
        assessed_on=on,
        expires_on=extra.pop("expires_on", default_expiry(on)),
        source="branch",
        **extra,
    )
