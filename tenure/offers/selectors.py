"""Reads of the offers app: the catalogue, a customer's assessments and which products are offered.

The customer comes from a scoped selector (`customers.selectors.customer_get`); nothing here widens
what the caller may see. Products and their terms hold no customer data (not scoped).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tenure.customers.models import OWN_BANK, Customer, Product
from tenure.offers.config import TOP_K
from tenure.offers.models import OfferCampaign, OfferCampaignMember, OfferResponse, Outcome, RiskAssessment
from tenure.offers.suitability import Assessment, Verdict, customer_facts, suitable
from tenure.org.scoping import scoped


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


def responses_for(customer: Customer) -> QuerySet[OfferResponse]:
    """The answers recorded for a customer the caller has scoped, newest first."""
    return OfferResponse.objects.filter(customer_id=customer.customer_no).select_related("product", "recorded_by")


def accepted_by_rm_and_month(start: dt.date, end: dt.date) -> list[dict]:
    """Offers accepted from `start` to `end` (both included), per RM who recorded them, month and
    customer: `{"month": date (1st), "rm_id": employee number, "customer_no", "accepted": count}`.

    One row per customer, so the scorecards (one line per customer) can add them up by RM, branch
    and bank. Not scoped: the caller is the scorecard computation, which scopes what it shows."""
    return [
        dict(row)
        for row in OfferResponse.objects.filter(outcome=Outcome.ACCEPTED, responded_on__range=(start, end))
        .annotate(month=TruncMonth("responded_on"))
        .values("month", rm_id=F("recorded_by__employee_no"), customer_no=F("customer_id"))
        .annotate(accepted=Count("id"))
        .order_by("month", "rm_id", "customer_no")
    ]


class Ranking(models.TextChoices):
    MODEL = "model", _("Ranked by the recommender (chance of opening the product type next month)")
    NO_MODEL = "no_model", _("No trained recommender yet: suitable products in catalogue order")
    REFUSED = "refused", _("The customer refused profiling: not scored, suitable products in catalogue order")
    NO_FEATURES = "no_features", _("No analytics for this customer yet: suitable products in catalogue order")


def reason_texts(reasons: list[dict], language: str | None = None) -> list[str]:
    """The reasons (`{"zh", "en"}` sentences) in the reader's language (Chinese unless English)."""
    key = "en" if (language or get_language() or "").startswith("en") else "zh"
    return [r[key] for r in reasons]


@dataclass(frozen=True)
class Offer:
    """A suitable product with its recommender score (None when not ranked) and its reasons."""

    verdict: Verdict
    score: float | None
    reasons: list[dict]  # [{"feature", "zh", "en"}]

    @property
    def product(self) -> Product:
        return self.verdict.product

    @property
    def chance(self) -> float | None:
        """The score as a percentage (what the page shows)."""
        return None if self.score is None else self.score * 100

    def reason_texts(self, language: str | None = None) -> list[str]:
        return reason_texts(self.reasons, language)


@dataclass(frozen=True)
class Recommendation:
    """The suitability split with the suitable products ranked, and how they were ranked."""

    result: CustomerOffers
    offers: list[Offer]
    ranking: str
    scored_on: dt.date | None = None

    @property
    def top(self) -> list[Offer]:
        return self.offers[:TOP_K]

    @property
    def ranking_label(self) -> str:
        return str(Ranking(self.ranking).label)

    @property
    def ranked(self) -> bool:
        return self.ranking == Ranking.MODEL


def recommend(customer: Customer, on: dt.date, channel: str | None = None) -> Recommendation:
    """`offers_for` (every product through `suitable`), the suitable ones ranked by the trained
    recommender with their top reasons; catalogue order when there is no model, no features for the
    customer, or the customer refused profiling (PIPL art. 24: never scored)."""
    result = offers_for(customer, on, channel)
    plain = [Offer(v, None, []) for v in result.offers]
    if not customer.consent_profiling:
        return Recommendation(result, plain, Ranking.REFUSED)
    # Loaded here, not at import: LightGBM and the training code cost seconds of start-up to every
    # command that only counts answers through this module (`tenure scorecards`).
    from tenure.offers import recommender

    model = recommender.load()
    if model is None:
        return Recommendation(result, plain, Ranking.NO_MODEL)
    scored = recommender.customer_scores(model, customer.customer_no) if result.offers else None
    if scored is None:
        return Recommendation(result, plain, Ranking.NO_FEATURES if result.offers else Ranking.MODEL)
    day, scores, x = scored
    reasons = {kind: model.reasons(x, kind)[0] for kind in {v.product.product_type for v in result.offers}}
    offers = [
        Offer(v, round(float(scores[v.product.product_type]), 4), reasons[v.product.product_type])
        for v in result.offers
    ]
    offers.sort(key=lambda o: -(o.score or 0.0))  # stable: catalogue order among equal scores
    return Recommendation(result, _distinct_types_first(offers), Ranking.MODEL, day)


def _distinct_types_first(offers: list[Offer]) -> list[Offer]:
    """The best offer of each of the top product types first (three time deposits are one idea, not
    three offers), then the rest in score order."""
    top: list[Offer] = []
    for offer in offers:
        if len(top) == TOP_K:
            break
        if all(o.product.product_type != offer.product.product_type for o in top):
            top.append(offer)
    return top + [o for o in offers if o not in top]


CAMPAIGN_SORTS = {
    "created": "created_at",
    "name": "name",
    "branch": "branch__name",
    "type": "product_type",
    "measured": "measured_at",
}


def offer_campaign_rows() -> QuerySet[OfferCampaign]:
    """Every offer campaign with its member counts, unscoped: scope it before showing it."""
    return OfferCampaign.objects.select_related("branch", "created_by").annotate(
        member_count=Count("members"),
        treated_count=Count("members", filter=Q(members__group=OfferCampaignMember.Group.TREATED)),
    )


def offer_campaigns(*, user, sort: str = "created", descending: bool = True) -> QuerySet[OfferCampaign]:
    """The offer campaigns of branches `user` may see, sorted by one of `CAMPAIGN_SORTS`."""
    column = CAMPAIGN_SORTS.get(sort, "created_at")
    order = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_first=True)
    return scoped(offer_campaign_rows(), user).order_by(order, "-id")


def offer_campaign_members(campaign: OfferCampaign, *, user) -> QuerySet[OfferCampaignMember]:
    """The members `user` may see, treated first, by chance."""
    rows = OfferCampaignMember.objects.filter(campaign=campaign).select_related("customer")
    return scoped(rows, user).order_by("-group", "-score", "customer_id")
