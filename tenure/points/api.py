"""REST API for merchants' points: balances and the ledger's journals.

Read-only, scoped like the pages (the caller's branch subtree), for the roles that may open them.
Redemption stays on the page, where a branch head confirms it.
"""

from __future__ import annotations

import django_filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import BasePermission

from tenure.customers.models import Merchant, MerchantCategory
from tenure.org.permissions import Perm, has_perm
from tenure.org.scoping import scoped
from tenure.points import selectors
from tenure.points.models import PointsJournal


class CanViewPoints(BasePermission):
    def has_permission(self, request, view) -> bool:
        return has_perm(request.user, Perm.POINTS_VIEW)


class MerchantPointsSerializer(serializers.ModelSerializer):
    branch = serializers.CharField(source="branch_id", read_only=True)
    balance = serializers.IntegerField(source="points_balance", read_only=True, help_text="points")
    volume_carry = serializers.DecimalField(
        source="points_account.volume_carry",
        max_digits=18,
        decimal_places=2,
        read_only=True,
        default=None,
        help_text="yuan of non-capped volume towards the next point",
    )
    count_carry = serializers.IntegerField(
        source="points_account.count_carry",
        read_only=True,
        default=None,
        help_text="capped transactions towards the next point",
    )

    class Meta:
        model = Merchant
        fields = [
            "merchant_no",
            "name",
            "category",
            "branch",
            "discount_rate",
            "capped",
            "cap_amount",
            "balance",
            "volume_carry",
            "count_carry",
        ]


class MerchantPointsFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=MerchantCategory.choices)
    min_balance = django_filters.NumberFilter(field_name="points_balance", lookup_expr="gte", help_text="points")

    class Meta:
        model = Merchant
        fields = ["category", "min_balance"]


class MerchantPointsViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Merchants of the caller's branch subtree with their points balance, highest first."""

    serializer_class = MerchantPointsSerializer
    filterset_class = MerchantPointsFilter
    permission_classes = [CanViewPoints]

    def get_queryset(self):
        return selectors.merchants_for(self.request.user).order_by("-points_balance", "merchant_no")


class PointsJournalSerializer(serializers.ModelSerializer):
    merchant = serializers.CharField(source="merchant.merchant_no", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = PointsJournal
        fields = [
            "id",
            "merchant",
            "business_date",
            "kind",
            "points",
            "memo",
            "rules_version",
            "created_by",
            "created_at",
        ]


class PointsJournalFilter(django_filters.FilterSet):
    merchant = django_filters.CharFilter(field_name="merchant__merchant_no", help_text="merchant number")
    kind = django_filters.ChoiceFilter(choices=PointsJournal.Kind.choices)
    since = django_filters.DateFilter(field_name="business_date", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="business_date", lookup_expr="lte")

    class Meta:
        model = PointsJournal
        fields = ["merchant", "kind", "since", "until"]


class PointsJournalViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Points movements (earned, reversed, redeemed, expired) of the caller's merchants, newest first."""

    serializer_class = PointsJournalSerializer
    filterset_class = PointsJournalFilter
    permission_classes = [CanViewPoints]

    def get_queryset(self):
        journals = scoped(PointsJournal.objects.select_related("merchant", "created_by"), self.request.user)
        return journals.order_by("-business_date", "-id")
