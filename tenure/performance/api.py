"""`GET /api/v1/scorecards/?period=YYYY-MM`: the scorecards of the caller's scope for a month, one row
per RM (summed over the branches their customers sit in) and one per branch pool (`rm` null). An RM
gets their own row only, a branch head their subtree's, head office every branch's."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from tenure.org.permissions import Perm, has_perm
from tenure.performance import selectors
from tenure.performance.compute import Month


class ScorecardSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM")
    rm = serializers.CharField(allow_null=True, help_text="employee number; null for a branch's unassigned pool")
    rm_name = serializers.CharField(allow_null=True)
    branch = serializers.CharField(allow_null=True, help_text="the RM's home branch, or the pool's branch (code)")
    branch_name = serializers.CharField(allow_null=True)
    figures = serializers.DictField(help_text="sums and ratios (docs/performance.md); money in yuan as strings")


class CanSeeScorecards(BasePermission):
    def has_permission(self, request, view) -> bool:
        return has_perm(request.user, Perm.SCORECARDS_VIEW)


class ScorecardViewSet(viewsets.GenericViewSet):
    serializer_class = ScorecardSerializer
    permission_classes = [CanSeeScorecards]
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, description="month, YYYY-MM (default: the latest computed)")
        ]
    )
    def list(self, request: Request) -> Response:
        user = request.user
        available = selectors.months(user)
        text = request.query_params.get("period", "")
        if text:
            try:
                month = Month.parse(text).start
            except ValueError as exc:
                raise ValidationError({"period": str(exc)}) from None
        elif available:
            month = available[0]
        else:
            month = None
        cards = selectors.by_rm(selectors.rows_of(user, month)) if month in available else []
        rows = [
            {
                "period": f"{month:%Y-%m}",
                "rm": c.key if c.staff or not c.key.startswith("pool:") else None,
                "rm_name": str(c.staff) if c.staff else None,
                "branch": c.branch.code if c.branch else None,
                "branch_name": c.branch.name if c.branch else None,
                "figures": c.totals.as_json(),
            }
            for c in cards
        ]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
