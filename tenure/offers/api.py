"""`GET /api/v1/customers/{id}/offers/`: our active products for one customer, split by suitability.

Scoped like the customer (`customer_get`: foreign and missing are one 404, the former audited).
`offers` are the suitable products, best first: `score` is the recommender's chance (0–1) that the
customer opens a product of that type next month, with `reasons` in the caller's language (null and
empty when not ranked: `ranking` says why); `not_offered` carries every reason as a code and label."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenure.core.http import client_ip, record_id
from tenure.customers.selectors import customer_get
from tenure.offers.selectors import Ranking, recommend
from tenure.offers.suitability import Reason, Verdict

_PRODUCT = inline_serializer(
    "OfferProduct",
    {
        "code": serializers.CharField(),
        "name": serializers.CharField(),
        "product_type": serializers.CharField(),
        "rate": serializers.CharField(allow_null=True, help_text="% p.a."),
        "term_months": serializers.IntegerField(allow_null=True),
    },
)
_REASONS = inline_serializer(
    "OfferReason",
    {"code": serializers.CharField(help_text=", ".join(Reason.values)), "label": serializers.CharField()},
    many=True,
)


def _product(v: Verdict) -> dict:
    p = v.product
    return {
        "code": p.code,
        "name": p.name,
        "product_type": p.product_type,
        "rate": None if p.rate is None else str(p.rate),
        "term_months": p.term_months,
    }


def _reasons(v: Verdict) -> list[dict]:
    return [{"code": code, "label": label} for code, label in zip(v.reasons, v.labels, strict=True)]


class CustomerOffersView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("customer_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=inline_serializer(
            "CustomerOffers",
            {
                "on": serializers.DateField(),
                "assessment": inline_serializer(
                    "OfferAssessment",
                    {
                        "level": serializers.CharField(),
                        "assessed_on": serializers.DateField(allow_null=True, help_text="null: extract, date unknown"),
                        "expires_on": serializers.DateField(allow_null=True),
                        "professional": serializers.BooleanField(),
                        "current": serializers.BooleanField(),
                    },
                    allow_null=True,
                ),
                "reassess": serializers.BooleanField(),
                "ranking": serializers.ChoiceField(choices=Ranking.choices),
                "offers": inline_serializer(
                    "Offer",
                    {
                        "product": _PRODUCT,
                        "risk_level": serializers.CharField(),
                        "score": serializers.FloatField(allow_null=True, help_text="0–1; null when not ranked"),
                        "reasons": serializers.ListField(child=serializers.CharField()),
                    },
                    many=True,
                ),
                "not_offered": inline_serializer(
                    "NotOffered",
                    {"product": _PRODUCT, "risk_level": serializers.CharField(), "reasons": _REASONS},
                    many=True,
                ),
            },
        ),
    )
    def get(self, request: Request, customer_id: str) -> Response:
        number = record_id(customer_id)
        if number is None:
            raise NotFound
        customer = customer_get(user=request.user, customer_id=number, ip=client_ip(request))
        today = timezone.localdate()
        recommendation = recommend(customer, today)
        result = recommendation.result
        a = result.assessment
        return Response(
            {
                "on": today,
                "assessment": None
                if a is None
                else {
                    "level": a.level,
                    "assessed_on": a.assessed_on,
                    "expires_on": a.expires_on,
                    "professional": a.professional,
                    "current": a.current_on(today),
                },
                "reassess": result.reassess,
                "ranking": recommendation.ranking,
                "offers": [
                    {
                        "product": _product(o.verdict),
                        "risk_level": o.product.risk_rating,
                        "score": o.score,
                        "reasons": o.reason_texts(),
                    }
                    for o in recommendation.offers
                ],
                "not_offered": [
                    {"product": _product(v), "risk_level": v.product.risk_rating, "reasons": _reasons(v)}
                    for v in result.not_offered
                ],
            }
        )
