"""Writes of the offers app: a customer's risk assessment, our products' sales terms, and the
customer's answer to an offer.

Each service checks the role (`Perm`), validates, and writes its row and its audit entry in one
transaction. Record scope is the caller's: views pass a customer from `customer_get`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenure.analytics.models import AssetTier
from tenure.core.audit import audit
from tenure.core.calendar import add_working_days
from tenure.customers.models import Customer, Product, RiskTolerance
from tenure.engagement.models import Source
from tenure.engagement.tasks import Draft, tasks_add
from tenure.offers.models import (
    AssessmentSource,
    DeclineReason,
    OfferResponse,
    Outcome,
    ProductTerms,
    RiskAssessment,
)
from tenure.offers.suitability import default_expiry, suitable
from tenure.org.permissions import Perm, has_perm

FOLLOW_UP_WORKING_DAYS = 5  # a customer thinking about an offer is called back after a working week


class OfferError(ValueError):
    """Refused input, with a message for the person who entered it."""


def _require(by, perm: Perm) -> None:
    if not has_perm(by, perm):
        raise PermissionDenied


def assessment_record(
    *,
    customer: Customer,
    level: str,
    assessed_on: dt.date,
    by,
    source: str = AssessmentSource.BRANCH,
    professional: bool = False,
    evidence: str = "",
    expires_on: dt.date | None = None,
    ip: str | None = None,
) -> RiskAssessment:
    """Record a new assessment (C1–C5) made with the customer; it becomes the current one.

    Expiry defaults to one year (`ASSESSMENT_VALID_MONTHS`); a professional investor needs the
    evidence named (RULES.md: keep the evidence and who recorded it)."""
    _require(by, Perm.RISK_ASSESSMENT_RECORD)
    if level not in RiskTolerance.values:
        raise OfferError(_("Risk level %(level)s is not one of C1–C5.") % {"level": level})
    if source not in (AssessmentSource.BRANCH, AssessmentSource.ONLINE):
        raise OfferError(_("Only a branch or online questionnaire can be recorded here."))
    if assessed_on > timezone.localdate():
        raise OfferError(_("An assessment cannot be dated in the future."))
    expires = expires_on or default_expiry(assessed_on)
    if expires <= assessed_on:
        raise OfferError(_("The expiry must come after the assessment date."))
    if professional and not evidence.strip():
        raise OfferError(_("A professional investor needs the evidence named."))
    with transaction.atomic():
        row = RiskAssessment.objects.create(
            customer=customer,
            level=level,
            assessed_on=assessed_on,
            expires_on=expires,
            professional=professional,
            evidence=evidence.strip(),
            source=source,
            recorded_by=by,
        )
        audit(
            action="offers.assessment.record",
            actor=by,
            object_type="risk_assessment",
            object_id=row.pk,
            customer_no=customer.customer_no,
            detail={
                "level": level,
                "assessed_on": assessed_on.isoformat(),
                "expires_on": expires.isoformat(),
                "professional": professional,
                "source": source,
            },
            ip_address=ip,
        )
    return row


def product_terms_save(
    *,
    product: Product,
    by,
    min_amount: Decimal = Decimal("0"),
    target_tiers: list[str] | None = None,
    sale_from: dt.date | None = None,
    sale_to: dt.date | None = None,
    fees: str = "",
    penalty: str = "",
) -> ProductTerms:
    """Set the sales terms of one of our products (analysts, administrators; audited with the old values)."""
    _require(by, Perm.OFFER_CATALOGUE_EDIT)
    if product.is_competitor:
        raise OfferError(_("Only our own products have sales terms."))
    if min_amount < 0:
        raise OfferError(_("The minimum amount cannot be negative."))
    if sale_from is not None and sale_to is not None and sale_from > sale_to:
        raise OfferError(_("The sale window ends before it starts."))
    tiers = list(target_tiers or [])
    unknown = [t for t in tiers if t not in AssetTier.values]
    if unknown:
        raise OfferError(_("Unknown tiers: %(tiers)s") % {"tiers": ", ".join(unknown)})
    values = {
        "min_amount": min_amount,
        "target_tiers": tiers,
        "sale_from": sale_from,
        "sale_to": sale_to,
        "fees": fees.strip(),
        "penalty": penalty.strip(),
    }
    with transaction.atomic():
        old = ProductTerms.objects.select_for_update().filter(product=product).first()
        before = {k: str(getattr(old, k)) for k in values} if old else None
        terms, _created = ProductTerms.objects.update_or_create(product=product, defaults={**values, "updated_by": by})
        audit(
            action="offers.terms.save",
            actor=by,
            object_type="product",
            object_id=product.code,
            detail={"before": before, "after": {k: str(v) for k, v in values.items()}},
        )
    return terms


def offer_response_record(
    *,
    customer: Customer,
    product: Product,
    outcome: str,
    by,
    form_key: str,
    reason: str = "",
    note: str = "",
    ip: str | None = None,
) -> OfferResponse:
    """Record the customer's answer to an offer (RMs, branch heads; audited `offers.response.record`).
    "Will think about it" also makes a follow-up task for the recorder (`Source.OFFER_FOLLOW_UP`).

    A product can be presented, accepted or thought about only while `suitable` says yes: otherwise the
    answer is refused with the reasons and the refusal is audited (`offers.response.refused`). A
    decline needs a reason code. The same `form_key` twice (a double submit) records one answer."""
    _require(by, Perm.OFFER_RESPONSE_RECORD)
    if outcome not in Outcome.values:
        raise OfferError(_("Unknown answer %(outcome)s.") % {"outcome": outcome})
    reason = reason if outcome == Outcome.DECLINED else ""
    if outcome == Outcome.DECLINED and reason not in DeclineReason.values:
        raise OfferError(_("A declined offer needs a reason."))
    if not form_key:
        raise OfferError(_("The form has expired: reload the page."))
    existing = OfferResponse.objects.filter(form_key=form_key).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    verdict = suitable(customer, product, today)
    if not verdict.ok and outcome != Outcome.DECLINED:
        audit(
            action="offers.response.refused",
            actor=by,
            object_type="product",
            object_id=product.code,
            customer_no=customer.customer_no,
            detail={"outcome": outcome, "reasons": list(verdict.reasons)},
            ip_address=ip,
        )
        raise OfferError(_("Not suitable for this customer: %(reasons)s") % {"reasons": "; ".join(verdict.labels)})
    with transaction.atomic():
        response, created = OfferResponse.objects.get_or_create(
            form_key=form_key,
            defaults={
                "customer": customer,
                "product": product,
                "outcome": outcome,
                "reason": reason,
                "note": note.strip()[:200],
                "responded_on": today,
                "recorded_by": by,
            },
        )
        if created:
            audit(
                action="offers.response.record",
                actor=by,
                object_type="offer_response",
                object_id=response.pk,
                customer_no=customer.customer_no,
                detail={"product": product.code, "outcome": outcome, "reason": reason},
                ip_address=ip,
            )
            if outcome == Outcome.THINKING:
                _follow_up(response, by, today)
    return response


def _follow_up(response: OfferResponse, by, today: dt.date) -> None:
    """ "Will think about it": a follow-up task for whoever recorded the answer, due in a working week."""
    draft = Draft(
        key=f"offer_follow_up:{response.pk}",
        source=Source.OFFER_FOLLOW_UP,
        customer_no=response.customer_id,
        due_on=add_working_days(today, FOLLOW_UP_WORKING_DAYS),
        source_id=str(response.pk),
        owner_id=by.pk,
        params={"product": response.product.name, "code": response.product.code},
    )
    tasks_add([draft], today)
