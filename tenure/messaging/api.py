"""`GET /api/v1/messages/`: the outbox rows of customers in the caller's scope (read only), and
`GET /api/v1/consent-changes/`: their consent history. Texts are stored masked; no address is kept."""

from __future__ import annotations

import django_filters
from rest_framework import mixins, serializers, viewsets

from tenure.messaging.models import Channel, ConsentChange, ConsentField, ConsentSource, Message, Purpose, Status
from tenure.messaging.selectors import consent_changes_for, messages_for, without_link_tokens


class MessageSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer_id", help_text="customer number")
    body = serializers.SerializerMethodField(help_text="the text sent, identifiers masked, link tokens hidden")

    def get_body(self, message: Message) -> str:
        return without_link_tokens(message.body)

    class Meta:
        model = Message
        fields = [
            "id",
            "customer",
            "channel",
            "purpose",
            "kind",
            "template",
            "template_version",
            "subject",
            "body",
            "status",
            "reason",
            "attempts",
            "scheduled_at",
            "not_after",
            "next_attempt_at",
            "sent_at",
            "delivered_at",
            "created_at",
        ]


class MessageFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer_id", help_text="customer number")
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    purpose = django_filters.ChoiceFilter(choices=Purpose.choices)
    status = django_filters.ChoiceFilter(choices=Status.choices)

    class Meta:
        model = Message
        fields = ["customer", "channel", "purpose", "status"]


class MessageViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Messages to customers in the caller's branch subtree, newest first."""

    serializer_class = MessageSerializer
    filterset_class = MessageFilter

    def get_queryset(self):
        return messages_for(self.request.user).order_by("-created_at", "-id")


class ConsentChangeSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer_id", help_text="customer number")
    by = serializers.SerializerMethodField(help_text="staff member's name; empty for the customer or an import")

    class Meta:
        model = ConsentChange
        fields = ["id", "customer", "field", "prior", "value", "source", "at", "by"]

    def get_by(self, obj: ConsentChange) -> str:
        return str(obj.by) if obj.by else ""


class ConsentChangeFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer_id", help_text="customer number")
    field = django_filters.ChoiceFilter(choices=ConsentField.choices)
    source = django_filters.ChoiceFilter(choices=ConsentSource.choices)

    class Meta:
        model = ConsentChange
        fields = ["customer", "field", "source"]


class ConsentChangeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Consent changes of customers in the caller's branch subtree, newest first."""

    serializer_class = ConsentChangeSerializer
    filterset_class = ConsentChangeFilter

    def get_queryset(self):
        return consent_changes_for(self.request.user).order_by("-at", "-id")
