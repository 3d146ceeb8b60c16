"""REST API for complaints: list and detail, read-only, scoped like the pages, free text masked."""

from __future__ import annotations

import django_filters
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission

from tenure.complaints.display import masked_complaint
from tenure.complaints.models import Channel, Complaint, Severity, Status
from tenure.complaints.selectors import complaint_get, complaint_list
from tenure.core.http import client_ip
from tenure.org.permissions import Perm, has_perm


class CanViewComplaints(BasePermission):
    def has_permission(self, request, view) -> bool:
        return has_perm(request.user, Perm.COMPLAINTS_VIEW)


class ComplaintSerializer(serializers.ModelSerializer):
    customer = serializers.SerializerMethodField(help_text="customer number; empty for an unmatched public complaint")
    branch = serializers.CharField(source="branch_id", read_only=True, allow_null=True)
    root_cause = serializers.SerializerMethodField(help_text="root cause code")
    owner = serializers.CharField(source="owner.username", read_only=True, allow_null=True, default=None)
    description = serializers.SerializerMethodField(help_text="identifiers in the text masked")
    contact_name = serializers.SerializerMethodField(help_text="masked: family name and *")
    contact_mobile = serializers.SerializerMethodField(help_text="masked: 138****5678")

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "customer",
            "branch",
            "channel",
            "product_type",
            "root_cause",
            "severity",
            "status",
            "description",
            "contact_name",
            "contact_mobile",
            "owner",
            "received_at",
            "ack_due_at",
            "acknowledged_at",
            "resolve_due_at",
            "resolved_at",
            "followed_up_at",
            "closed_at",
            "reopened_count",
            "escalation_level",
        ]

    def _masked(self, obj: Complaint) -> dict[str, str]:
        # A per-request cache in the context dict DRF passes; the stubs declare the context read-only.
        cache = self.context.setdefault("_masked", {})  # type: ignore[attr-defined]
        if obj.pk not in cache:
            cache[obj.pk] = masked_complaint(obj)
        return cache[obj.pk]

    def get_customer(self, obj: Complaint) -> str:
        return obj.customer.customer_no if obj.customer is not None else ""

    def get_root_cause(self, obj: Complaint) -> str:
        return obj.root_cause.code if obj.root_cause is not None else ""

    def get_description(self, obj: Complaint) -> str:
        return self._masked(obj)["description"]

    def get_contact_name(self, obj: Complaint) -> str:
        return self._masked(obj)["contact_name"]

    def get_contact_mobile(self, obj: Complaint) -> str:
        return self._masked(obj)["contact_mobile"]


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    branch = django_filters.CharFilter(field_name="branch_id")
    cause = django_filters.CharFilter(field_name="root_cause__code")
    customer = django_filters.CharFilter(field_name="customer__customer_no", help_text="customer number")
    received_from = django_filters.DateFilter(field_name="received_at", lookup_expr="date__gte")
    received_to = django_filters.DateFilter(field_name="received_at", lookup_expr="date__lte")

    class Meta:
        model = Complaint
        fields = ["status", "severity", "channel", "branch", "cause", "customer", "received_from", "received_to"]


class ComplaintViewSet(viewsets.ReadOnlyModelViewSet):
    """Complaints in the caller's scope, newest first."""

    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter
    permission_classes = [CanViewComplaints]
    lookup_url_kwarg = "complaint_id"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return complaint_list(user=self.request.user).order_by("-received_at", "-id")

    def get_object(self) -> Complaint:
        return complaint_get(
            user=self.request.user, complaint_id=int(self.kwargs["complaint_id"]), ip=client_ip(self.request)
        )
