"""Reads of the messaging app: consent as it stands at sending time, and the outbox for staff (scoped)."""

from __future__ import annotations

from django.db.models import QuerySet

from tenure.customers.models import Customer
from tenure.messaging.models import CHANNEL_CONSENT, ConsentChange, ConsentField, Message, Purpose, Reason
from tenure.org.scoping import scoped


def withdrawn_fields(customer: Customer, fields: list[str]) -> set[str]:
    """The consent flags among `fields` whose latest change recorded in Tenure is a withdrawal.

    Such a withdrawal stands even when a later import set the flag back to yes: an extract that still
    says 1 cannot be told from one that never heard of the opt-out (docs/messaging.md)."""
    latest: dict[str, bool] = {}
    rows = ConsentChange.objects.filter(customer=customer, field__in=fields).order_by("field", "-at", "-id")
    for field, value in rows.values_list("field", "value"):
        latest.setdefault(field, value)
    return {field for field, value in latest.items() if not value}


def consent_refusal(customer: Customer, *, channel: str, purpose: str) -> str:
    """Why `customer` may not get a message of `purpose` on `channel` now, or "" when they may.

    Service messages need the channel's consent; marketing needs marketing consent as well (PIPL,
    广告法 art. 43). `opted_out` when the customer withdrew it (recorded here), `no_consent` when it
    was never given."""
    fields = [CHANNEL_CONSENT[channel]]
    if purpose == Purpose.MARKETING:
        fields.append(ConsentField.MARKETING)
    withdrawn = withdrawn_fields(customer, fields)
    if withdrawn:
        return Reason.OPTED_OUT
    if not all(getattr(customer, field) for field in fields):
        return Reason.NO_CONSENT
    return ""


def messages_for(user) -> QuerySet[Message]:
    """The outbox rows of the customers `user` may see (branch subtree), newest first."""
    return scoped(Message.objects.select_related("customer"), user)


def consent_changes_for(user) -> QuerySet[ConsentChange]:
    """The consent history of the customers `user` may see, newest first."""
    return scoped(ConsentChange.objects.select_related("customer", "by"), user)
