"""REST API for churn alerts and scores: read-only, scoped like the pages, paginated.

Customers are identified by number and name only (no contact or ID data); scores always carry their
reasons, and customers who refused profiling have no score (PIPL art. 24).
"""

from __future__ import annotations

import django_filters
from rest_framework import mixins, serializers, viewsets

from tenure.churn.models import Alert, ChurnScore
from tenure.churn.selectors import alert_queue, scores
from tenure.churn.services import ensure_reasons


class ReasonSerializer(serializers.Serializer):
    feature = serializers.CharField()
    zh = serializers.CharField()
    en = serializers.CharField()


class AlertSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.customer_no", read_only=True, help_text="customer number")
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner = serializers.CharField(source="owner.employee_no", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Alert
        fields = [
            "id",
            "customer",
            "customer_name",
            "cause",
            "severity",
            "detail",
            "business_date",
            "owner",
            "probability",
            "value_at_risk",
            "due_on",
            "status",
            "outcome",
            "policy",
        ]


class ScoreSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.customer_no", read_only=True, help_text="customer number")
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    reasons = ReasonSerializer(many=True, read_only=True, help_text="top reasons pushing the score up")

    class Meta:
        model = ChurnScore
        fields = ["customer", "customer_name", "business_date", "model_version", "probability", "band", "reasons"]


class AlertFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__customer_no", help_text="customer number")
    cause = django_filters.CharFilter()
    severity = django_filters.CharFilter()
    status = django_filters.ChoiceFilter(choices=Alert.Status.choices)

    class Meta:
        model = Alert
        fields = ["customer", "cause", "severity", "status"]


class ScoreFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__customer_no", help_text="customer number")
    band = django_filters.CharFilter()
    min_probability = django_filters.NumberFilter(field_name="probability", lookup_expr="gte")

    class Meta:
        model = ChurnScore
        fields = ["customer", "band", "min_probability"]


class ChurnAlertViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Churn alerts in the caller's scope (every status), highest value at risk first."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter

    def get_queryset(self):
        return alert_queue(user=self.request.user, status="")


class ChurnScoreViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Churn scores (probability, band, reasons) of customers in the caller's scope, riskiest first."""

    serializer_class = ScoreSerializer
    filterset_class = ScoreFilter

    def get_queryset(self):
        return scores(user=self.request.user).order_by("-probability", "customer_id")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        ensure_reasons(list(page or []))  # low-band reasons are worked out when first shown
        return page
