"""Reads of the messaging app: consent as it stands at sending time, and the outbox for staff (scoped)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import QuerySet

from tenure.core.crypto import blind_index
from tenure.customers.models import Customer
from tenure.messaging.models import (
    CHANNEL_CONSENT,
    Bounce,
    Channel,
    ConsentChange,
    ConsentField,
    CustomerLanguage,
    Message,
    Purpose,
    Reason,
)
from tenure.org.scoping import scoped


def withdrawn_fields(customer: Customer, fields: list[str]) -> set[str]:
    """The consent flags among `fields` whose latest change recorded in Tenure is a withdrawal.

    Such a withdrawal stands even when a later import set the flag back to yes: an extract that still
    says 1 cannot be told from one that never heard of the opt-out (docs/messaging.md)."""
    return withdrawn_by_customer([customer.customer_no], fields).get(customer.customer_no, set())


def withdrawn_by_customer(customer_nos: Iterable[str], fields: Iterable[str]) -> dict[str, set[str]]:
    """`withdrawn_fields` for many customers in one query (the sender reads a claimed batch at once):
    customer number -> withdrawn flags, only for customers with at least one."""
    latest: dict[tuple[str, str], bool] = {}
    rows = ConsentChange.objects.filter(customer_id__in=list(customer_nos), field__in=list(fields)).order_by(
        "customer_id", "field", "-at", "-id"
    )
    for customer_no, field, value in rows.values_list("customer_id", "field", "value"):
        latest.setdefault((str(customer_no), field), value)
    withdrawn: dict[str, set[str]] = {}
    for (number, flag), value in latest.items():
        if not value:
            withdrawn.setdefault(number, set()).add(flag)
    return withdrawn


def consent_refusal(customer: Customer, *, channel: str, purpose: str, withdrawn: set[str] | None = None) -> str:
    """Why `customer` may not get a message of `purpose` on `channel` now, or "" when they may.

    Service messages need the channel's consent; marketing needs marketing consent as well (PIPL,
    广告法 art. 43). `opted_out` when the customer withdrew it (recorded here), `no_consent` when it
    was never given. `withdrawn`: the customer's withdrawn flags when the caller read them in bulk."""
    fields = [CHANNEL_CONSENT[channel]]
    if purpose == Purpose.MARKETING:
        fields.append(ConsentField.MARKETING)
    if withdrawn is None:
        withdrawn = withdrawn_fields(customer, fields)
    if withdrawn.intersection(fields):
        return Reason.OPTED_OUT
    if not all(getattr(customer, field) for field in fields):
        return Reason.NO_CONSENT
    return ""


def languages_of(customer_nos: Iterable[str]) -> dict[str, str]:
    """customer number -> the language their messages are written in, for those who do not read
    Chinese (the default); one query for a batch of customers."""
    rows = CustomerLanguage.objects.filter(customer_id__in=list(customer_nos))
    return {str(number): language for number, language in rows.values_list("customer_id", "language")}


def address_of(customer: Customer, channel: str) -> str:
    """Where a message on `channel` goes, read at sending time (the mobile decrypted from its field)."""
    if channel == Channel.EMAIL:
        return customer.email.strip()
    if channel == Channel.SMS:
        return (customer.mobile or "").strip()
    return customer.customer_no  # the bank's app resolves a customer's devices itself


def address_index(channel: str, address: str) -> str:
    """The blind index a bounced address is kept under (never the address itself)."""
    return blind_index(f"bounce-{channel}", address)


def address_bouncing(customer: Customer, channel: str, address: str) -> bool:
    """Whether `address` (as read at sending time) bounced for good before: a changed address is a new one."""
    return Bounce.objects.filter(
        customer=customer, channel=channel, address_bidx=address_index(channel, address)
    ).exists()


def bounced_indexes(customer_nos: Iterable[str]) -> set[tuple[str, str, str]]:
    """(customer, channel, address index) of every bounced address of these customers, in one query."""
    rows = Bounce.objects.filter(customer_id__in=list(customer_nos))
    return {
        (str(number), channel, index)
        for number, channel, index in rows.values_list("customer_id", "channel", "address_bidx")
    }


def messages_for(user) -> QuerySet[Message]:
    """The outbox rows of the customers `user` may see (branch subtree), newest first."""
    return scoped(Message.objects.select_related("customer"), user)


def consent_changes_for(user) -> QuerySet[ConsentChange]:
    """The consent history of the customers `user` may see, newest first."""
    return scoped(ConsentChange.objects.select_related("customer", "by"), user)


# A survey link's token lets whoever holds it answer as the customer: staff read the text without it.
_LINK_TOKEN = re.compile(r"(/p/(?:s|unsubscribe)/)[\w-]{8,}/")


def without_link_tokens(text: str) -> str:
    """`text` as staff see it: personal link tokens (survey answer, unsubscribe) replaced by …."""
    return _LINK_TOKEN.sub(r"\1…/", text)


def customer_messages(customer: Customer, *, limit: int) -> tuple[list[Message], int]:
    """The latest `limit` messages to `customer` (already in the caller's scope) and how many there are."""
    rows = Message.objects.filter(customer=customer).order_by("-created_at", "-id")
    return list(rows[:limit]), rows.count()


def customer_consent_changes(customer: Customer, *, limit: int) -> list[ConsentChange]:
    return list(ConsentChange.objects.filter(customer=customer).select_related("by").order_by("-at", "-id")[:limit])


def bouncing_channels(customer: Customer) -> list[str]:
    """The channels whose current address of `customer` bounced for good (later messages are suppressed)."""
    return [
        channel
        for channel in (Channel.EMAIL, Channel.SMS)
        if (address := address_of(customer, channel)) and address_bouncing(customer, channel, address)
    ]
