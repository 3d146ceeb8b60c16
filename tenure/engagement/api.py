"""`GET /api/v1/greetings/?from=D&to=D`: the greetings due to customers in the caller's scope."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tenure.core.festivals import LAST_LUNAR_YEAR
from tenure.engagement.greetings import Festival, Kind, greetings_between
from tenure.org.scoping import customers_for

MAX_DAYS = 92  # a quarter: the list is worked out on request
DEFAULT_DAYS = 30


class GreetingSerializer(serializers.Serializer):
    customer = serializers.CharField(help_text="customer number")
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    festival = serializers.ChoiceField(choices=[("", "—"), *Festival.choices], help_text="for kind=festival")


def _day(request: Request, name: str, default: dt.date) -> dt.date:
    text = request.query_params.get(name)
    if text in (None, ""):
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: f"not a date (YYYY-MM-DD): {text[:40]!r}"}) from None


class GreetingViewSet(viewsets.GenericViewSet):
    """Birthdays (solar or lunar), bank anniversaries and festivals, one per customer per week at
    most, only for customers with marketing consent; by customer, then date."""

    serializer_class = GreetingSerializer
    filter_backends: list = []  # `from` and `to` are read by `list` itself

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="first day (default today)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description=f"last day (default from + {DEFAULT_DAYS} days)"),
        ]
    )
    def list(self, request: Request) -> Response:
        start = _day(request, "from", timezone.localdate())
        end = _day(request, "to", start + dt.timedelta(days=DEFAULT_DAYS))
        if end < start:
            raise ValidationError({"to": "before from"})
        if (end - start).days >= MAX_DAYS:
            raise ValidationError({"to": f"at most {MAX_DAYS} days from 'from'"})
        if start.year <= 1900 or end.year > LAST_LUNAR_YEAR:
            raise ValidationError({"from": f"dates must lie in 1901–{LAST_LUNAR_YEAR}"})
        greetings = list(greetings_between(customers_for(request.user), start, end))
        page = self.paginate_queryset(greetings)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
