"""The audit log over the API: read-only, compliance only."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import BasePermission

from tenure.core.masking import mask_text
from tenure.core.models import AuditEntry
from tenure.org.permissions import Perm, has_perm
from tenure.web.audit_labels import action_label
from tenure.web.audit_log import AuditFilters, audit_entries


class CanReadAudit(BasePermission):
    def has_permission(self, request, view) -> bool:
        return has_perm(request.user, Perm.AUDIT_READ)


class AuditEntrySerializer(serializers.ModelSerializer):
    action_label = serializers.SerializerMethodField(help_text="the action in words, in the request's language")
    reason_code = serializers.SerializerMethodField(help_text="a reveal's reason code; empty otherwise")
    reason = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor_name",
            "action",
            "action_label",
            "object_type",
            "object_id",
            "customer_no",
            "reason_code",
            "reason",
            "ip_address",
        ]

    def get_action_label(self, obj: AuditEntry) -> str:
        return action_label(obj.action)

    def get_reason_code(self, obj: AuditEntry) -> str:
        return str((obj.detail or {}).get("reason_code", ""))

    def get_reason(self, obj: AuditEntry) -> str:
        return mask_text(obj.reason)


class AuditFilterInput(serializers.Serializer):
    actor = serializers.CharField(required=False, max_length=150)
    customer_no = serializers.CharField(required=False, max_length=32)
    action = serializers.CharField(required=False, max_length=64)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class AuditEntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who did what, when and why; filters `actor`, `customer_no`, `action`, `date_from`, `date_to`."""

    serializer_class = AuditEntrySerializer
    permission_classes = [CanReadAudit]
    filter_backends: list = []

    def get_queryset(self):
        params = AuditFilterInput(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return audit_entries(user=self.request.user, filters=AuditFilters(**params.validated_data))
