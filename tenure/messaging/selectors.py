"""Reads of the messaging app: consent as it stands at sending time, and the outbox for staff (scoped)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from tenure.core.crypto import blind_index
from tenure.customers.models import Customer
from tenure.messaging.models import (
    CHANNEL_CONSENT,
    PURPOSE_OF,
    Bounce,
    Channel,
    ConsentChange,
    ConsentField,
    CustomerLanguage,
    Kind,
    Message,
    Purpose,
    Reason,
    TemplateVersion,
    VersionState,
)
from tenure.org.models import Branch
from tenure.org.scoping import scoped, visible_branch_codes


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


PHONE_CALL = "phone"  # an outbound marketing call: no message channel, but consent still applies
MARKETING_CHANNELS = (*Channel.values, PHONE_CALL)


def marketing_refusal(customer: Customer, channel: str) -> str:
    """Why `customer` may not be offered a product on `channel` now, or "" when they may: a message
    channel's consents for marketing, or for an outbound call the phone and marketing consents (what
    `offers.suitability` asks). ValueError for a channel that is neither."""
    if channel not in MARKETING_CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if channel != PHONE_CALL:
        return consent_refusal(customer, channel=channel, purpose=Purpose.MARKETING)
    fields = [ConsentField.PHONE, ConsentField.MARKETING]
    if withdrawn_fields(customer, list(fields)):
        return Reason.OPTED_OUT
    return "" if all(getattr(customer, f) for f in fields) else Reason.NO_CONSENT


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


LIBRARY_KINDS = (Kind.NOTICE, Kind.EDUCATION)


@dataclass(frozen=True)
class Article:
    """One article of the customer-education library: its code, name and text in one language (the
    latest approved version), its kind and purpose, and the channels it can go on."""

    code: str
    name: str
    kind: str
    purpose: str
    version: int
    subject: str
    body: str
    channels: tuple[str, ...]

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def purpose_label(self) -> str:
        return str(Purpose(self.purpose).label)

    @property
    def channel_labels(self) -> list[str]:
        return [str(Channel(c).label) for c in self.channels]


def library(language: str = "zh") -> list[Article]:
    """The customer-education library: every education or service-notice template code with an
    approved version, shown in `language` (else Chinese), e-mail wording first, by code."""
    approved = (
        TemplateVersion.objects.filter(template__kind__in=LIBRARY_KINDS, state=VersionState.APPROVED)
        .select_related("template")
        .order_by("template__code", "-number")
    )
    latest: dict[tuple[str, str, str], TemplateVersion] = {}
    for version in approved:
        t = version.template
        latest.setdefault((t.code, t.channel, t.language), version)
    articles = []
    for code in sorted({code for code, _, _ in latest}):
        mine = {(ch, lang): v for (c, ch, lang), v in latest.items() if c == code}
        order = [(ch, lang) for lang in (language, "zh") for ch in ("email", "push", "sms")]
        face = next(mine[key] for key in order + list(mine) if key in mine)
        articles.append(
            Article(
                code=code,
                name=face.template.name,
                kind=face.template.kind,
                purpose=PURPOSE_OF[face.template.kind],
                version=face.number,
                subject=face.subject,
                body=face.body,
                channels=tuple(ch for ch in Channel.values if any(c == ch for c, _ in mine)),
            )
        )
    return articles


def segment_branches(user) -> list[Branch]:
    """Branches `user` may address a segment in (their scope), head office first, by path."""
    visible = visible_branch_codes(user)
    rows = Branch.objects.order_by("path")
    return list(rows if visible is None else rows.filter(code__in=sorted(visible)))


def segment_customers(
    user, *, branch_code: str = "", customer_type: str = "", min_age: int | None = None, on: dt.date
) -> QuerySet:
    """The customers of a segment a staff member sends library content to: in their scope, of a
    branch and everything under it, of a type, aged at least `min_age` on `on` (fraud warnings to
    older customers). Empty filters select everyone in scope."""
    customers = scoped(Customer.objects.all(), user)
    if branch_code:
        path = Branch.objects.filter(code=branch_code).values_list("path", flat=True).first()
        customers = customers.filter(branch__path__startswith=path) if path else customers.none()
    if customer_type:
        customers = customers.filter(customer_type=customer_type)
    if min_age is not None:
        day = 28 if (on.month, on.day) == (2, 29) else on.day  # 29 February: the 28th of a common year
        born_by = on.replace(year=on.year - min_age, day=day)
        customers = customers.filter(birth_date__lte=born_by)
    return customers
