"""REST API for each customer's current tier, value level, contribution and upgrade potential.

Read-only, scoped like the pages (the caller's branch subtree), paginated. Customers are identified
by number and name only. Values are as of the published nightly run (`published_date`).
"""

from __future__ import annotations

import django_filters
from rest_framework import mixins, serializers, viewsets

from tenure.analytics.models import AssetTier, CustomerValue, Suggestion, ValueLevel
from tenure.org.scoping import scoped


class CustomerValueSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer_id", read_only=True, help_text="customer number")
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = CustomerValue
        fields = [
            "customer",
            "customer_name",
            "branch_code",
            "asset_tier",
            "previous_tier",
            "downgrade_warning",
            "aum",
            "aum_change_1m",
            "avg_daily_aum_3m",
            "value_level",
            "branch_value_level",
            "contribution",
            "contribution_rank",
            "potential_score",
            "likely_tier_riser",
            "likely_level_riser",
            "suggestion",
            "loss_making",
            "config_version",
        ]


class CustomerValueFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer_id", help_text="customer number")
    asset_tier = django_filters.ChoiceFilter(choices=AssetTier.choices)
    value_level = django_filters.ChoiceFilter(choices=ValueLevel.choices)
    suggestion = django_filters.ChoiceFilter(choices=Suggestion.choices)
    likely_tier_riser = django_filters.BooleanFilter()
    likely_level_riser = django_filters.BooleanFilter()

    class Meta:
        model = CustomerValue
        fields = ["customer", "asset_tier", "value_level", "suggestion", "likely_tier_riser", "likely_level_riser"]


class CustomerValueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Tier, value level, contribution and upgrade potential of the customers in the caller's scope,
    highest potential first (the upgrade-potential page's order)."""

    serializer_class = CustomerValueSerializer
    filterset_class = CustomerValueFilter

    def get_queryset(self):
        values = scoped(CustomerValue.objects.select_related("customer"), self.request.user)
        return values.order_by("-potential_score", "-contribution", "customer_id")
