"""THE suitability check: may this product be proposed to this customer on this day, and if not, why.

Every place that proposes a product to a customer calls `suitable` (or `suitable_products`, which
calls it per product): the churn counter-offer and the loan folder (`retention/playbooks.py`), the
offers panel and API (`offers/selectors.py` `offers_for`). `tests/offers/test_no_bypass.py` lists
those places and fails when a new one appears without going through here.

The rules (docs/offers.md; values from `offers.config`):

* not one of our products → `not_ours`; matured (maturity date on or before the day) → `matured`;
  outside the catalogue's sale window (first and last day included) → `not_on_sale`;
* investment types (wealth, fund, insurance): no assessment → `assessment_missing`; an assessment
  of unknown date (the extract's risk tolerance without `risk_assessed_on`) or past its expiry
  (the expiry day itself no longer counts) → `assessment_expired`; product level above the
  customer level (R3 to C2) → `risk_above_assessment` (R equal to C is suitable; professional
  investors with a current assessment may receive R1–R5);
* funded types (deposits and investments): catalogue minimum above the customer's AUM (yuan, latest
  month-end) → `below_minimum`;
* R4–R5 (configurable) to a customer aged 65 or over on the day (the birthday counts) →
  `senior_high_risk`; birth date unknown → `age_unknown`;
* a marketing channel (SMS, e-mail, app push, outbound phone) whose consent or marketing consent
  is refused or withdrawn → `marketing_refused`. In person (`channel=None`) no consent is needed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenure.analytics.portfolio import customers_aum
from tenure.customers.models import OWN_BANK, Customer, Product
from tenure.offers.config import offers_config
from tenure.offers.models import AssessmentSource, ProductTerms, RiskAssessment

ZERO = Decimal("0")


class Reason(models.TextChoices):
    """Why a product is not proposed to a customer (codes for the API; labels for people)."""

    NOT_OURS = "not_ours", _("Not a product of this bank")
    MATURED = "matured", _("The product has matured")
    NOT_ON_SALE = "not_on_sale", _("Outside the product's sale window")
    ASSESSMENT_MISSING = "assessment_missing", _("No risk assessment: re-assess first")
    ASSESSMENT_EXPIRED = "assessment_expired", _("Risk assessment expired or of unknown date: re-assess first")
    RISK_ABOVE_ASSESSMENT = "risk_above_assessment", _("Product risk level above the customer's assessed level")
    BELOW_MINIMUM = "below_minimum", _("Minimum amount above the customer's assets under management")
    SENIOR_HIGH_RISK = "senior_high_risk", _("Customer aged 65 or over: high-risk products are not proposed")
    AGE_UNKNOWN = "age_unknown", _("Birth date unknown: high-risk products are not proposed")
    MARKETING_REFUSED = "marketing_refused", _("The customer refused marketing on this channel")


REASSESS = (Reason.ASSESSMENT_MISSING, Reason.ASSESSMENT_EXPIRED)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the 29–31st become the month's last day when it is shorter."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def default_expiry(assessed_on: dt.date) -> dt.date:
    """The first day an assessment made on `assessed_on` no longer counts (default: one year later)."""
    return add_months(assessed_on, int(offers_config()["ASSESSMENT_VALID_MONTHS"]))


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years on `day` (the birthday itself counts; 29 February turns on 1 March)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class Assessment:
    """The customer's assessment as suitability reads it. `assessed_on` None: the extract's risk
    tolerance without `risk_assessed_on`, whose date is unknown — it never counts as current."""

    level: str
    assessed_on: dt.date | None
    expires_on: dt.date | None
    professional: bool
    source: str
    recorded: bool  # recorded in Tenure (True) or derived from the extract (False)

    def current_on(self, day: dt.date) -> bool:
        if self.assessed_on is None or self.expires_on is None:
            return False
        return self.assessed_on <= day < self.expires_on


def extract_assessment(customer: Customer, on: dt.date) -> Assessment | None:
    """The extract's risk tolerance as an assessment: dated by `risk_assessed_on` (expiring like one
    recorded here), or of unknown date when the extract leaves the date empty. None when the extract
    has no level, or its date lies after `on`."""
    if not customer.risk_tolerance:
        return None
    assessed = customer.risk_assessed_on
    if assessed is None:
        return Assessment(customer.risk_tolerance, None, None, False, AssessmentSource.IMPORT, False)
    if assessed > on:
        return None
    expires = default_expiry(assessed)
    return Assessment(customer.risk_tolerance, assessed, expires, False, AssessmentSource.IMPORT, False)


def current_assessment(customer: Customer, on: dt.date) -> Assessment | None:
    """The latest assessment on or before `on`: recorded in Tenure or dated by the extract, whichever
    is later (Tenure's on the same day: it carries the professional flag); else the extract's level of
    unknown date; else None. The caller has scoped `customer`."""
    row = (
        RiskAssessment.objects.filter(customer_id=customer.customer_no, assessed_on__lte=on)
        .order_by("-assessed_on", "-id")
        .first()
    )
    extract = extract_assessment(customer, on)
    if row is None:
        return extract
    if extract is not None and extract.assessed_on is not None and extract.assessed_on > row.assessed_on:
        return extract
    return Assessment(row.level, row.assessed_on, row.expires_on, row.professional, row.source, True)


@dataclass
class CustomerFacts:
    """What suitability reads about one customer, gathered once for many products."""

    customer: Customer
    on: dt.date
    assessment: Assessment | None
    aum: Decimal  # yuan, latest month-end in the lake; 0 when unknown
    refusals: dict[str, str] = field(default_factory=dict)  # channel -> consent refusal ("" = may)

    def marketing_refusal(self, channel: str) -> str:
        if channel not in self.refusals:
            self.refusals[channel] = _marketing_refusal(self.customer, channel)
        return self.refusals[channel]


def _marketing_refusal(customer: Customer, channel: str) -> str:
    """The customer's consent to marketing on `channel`: messaging keeps the consent ledger, and
    messaging builds on offers (it quotes product terms), so this one read is imported when called
    (docs/architecture.md)."""
    from tenure.messaging.selectors import marketing_refusal

    return marketing_refusal(customer, channel)


def customer_aum(customer: Customer) -> Decimal:
    """The customer's AUM (yuan) at the latest month-end in the lake, 0 without one."""
    return customers_aum([customer])[customer.customer_no]


def customer_facts(customer: Customer, on: dt.date, *, aum: Decimal | None = None) -> CustomerFacts:
    """Gather the facts once; pass `aum` when the caller already has it (saves a lake read)."""
    return CustomerFacts(customer, on, current_assessment(customer, on), customer_aum(customer) if aum is None else aum)


@dataclass(frozen=True)
class Verdict:
    """Yes or no, with every reason that applies (empty when suitable)."""

    product: Product
    reasons: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.reasons

    def __bool__(self) -> bool:
        return self.ok

    @property
    def labels(self) -> list[str]:
        return [str(Reason(code).label) for code in self.reasons]

    @property
    def reassess(self) -> bool:
        """Re-assessing the customer is what would unblock it (or one of the things)."""
        return any(code in REASSESS for code in self.reasons)


def _terms(product: Product) -> ProductTerms | None:
    try:
        return product.terms  # the reverse one-to-one of ProductTerms
    except ProductTerms.DoesNotExist:
        return None


def _level(code: str) -> int:
    return int(code[1:]) if len(code) == 2 and code[1:].isdigit() else 99  # unknown: above every level


def suitable(
    customer: Customer,
    product: Product,
    on: dt.date,
    channel: str | None = None,
    *,
    facts: CustomerFacts | None = None,
) -> Verdict:
    """May `product` be proposed to `customer` on `on` (through `channel`; None: in person)?

    `facts` (from `customer_facts(customer, on)`) saves the reads when checking many products."""
    if facts is None or facts.customer.pk != customer.pk or facts.on != on:
        facts = customer_facts(customer, on)
    refused = channel is not None and facts.marketing_refusal(channel)  # ValueError: unknown channel
    config = offers_config()
    reasons: list[str] = []
    if product.issuer != OWN_BANK:
        reasons.append(Reason.NOT_OURS)
    if product.maturity_date is not None and product.maturity_date <= on:
        reasons.append(Reason.MATURED)
    terms = _terms(product)
    if terms is not None and (
        (terms.sale_from is not None and on < terms.sale_from) or (terms.sale_to is not None and on > terms.sale_to)
    ):
        reasons.append(Reason.NOT_ON_SALE)
    if product.product_type in config["INVESTMENT_TYPES"]:
        assessment = facts.assessment
        if assessment is None:
            reasons.append(Reason.ASSESSMENT_MISSING)
        elif not assessment.current_on(on):
            reasons.append(Reason.ASSESSMENT_EXPIRED)
        # The level is compared even when expired: the RM sees both reasons (re-assess; and even then…).
        if assessment is not None and not (assessment.professional and assessment.current_on(on)):
            if _level(product.risk_rating) > _level(assessment.level):
                reasons.append(Reason.RISK_ABOVE_ASSESSMENT)
    if product.product_type in config["FUNDED_TYPES"] and terms is not None and terms.min_amount > facts.aum:
        reasons.append(Reason.BELOW_MINIMUM)
    if product.risk_rating in config["SENIOR_RISK_LEVELS"]:
        birth = customer.birth_date
        if birth is None:
            reasons.append(Reason.AGE_UNKNOWN)
        elif age_on(birth, on) >= int(config["SENIOR_AGE"]):
            reasons.append(Reason.SENIOR_HIGH_RISK)
    if refused:
        reasons.append(Reason.MARKETING_REFUSED)
    return Verdict(product, tuple(reasons))


def suitable_products(
    customer: Customer,
    products: list[Product],
    on: dt.date,
    channel: str | None = None,
    *,
    facts: CustomerFacts | None = None,
) -> list[Product]:
    """The products of `products` that pass `suitable`, in their order (facts gathered once)."""
    facts = facts or customer_facts(customer, on)
    return [p for p in products if suitable(customer, p, on, channel, facts=facts)]
