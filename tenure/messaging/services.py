"""Writes of the messaging app: queue a message, change a consent, and what a receipt says happened.

Each runs in one transaction with its audit row. Sending itself is `tenure.messaging.dispatch`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from tenure.core.audit import audit, audit_many
from tenure.core.masking import mask_text
from tenure.customers.models import Customer
from tenure.messaging.models import (
    PURPOSE_OF,
    Bounce,
    Channel,
    ConsentChange,
    ConsentField,
    ConsentSource,
    CustomerLanguage,
    Kind,
    Language,
    Message,
    Status,
)
from tenure.messaging.selectors import address_index, address_of

if TYPE_CHECKING:
    import pyarrow as pa


class MessageError(ValueError):
    """A message that cannot be queued as asked (unknown channel, kind, empty text); one line."""


def _check(channel: str, kind: str, body: str, idempotency_key: str) -> None:
    if channel not in Channel.values:
        raise MessageError(f"unknown channel {channel!r} (use {', '.join(Channel.values)})")
    if kind not in Kind.values:
        raise MessageError(f"unknown kind {kind!r} (use {', '.join(Kind.values)})")
    if not body.strip() or not idempotency_key.strip():
        raise MessageError("a message needs a text and an idempotency key")


@dataclass(frozen=True)
class Draft:
    """One message to queue with `messages_queue_many`: `message_queue`'s arguments, texts already masked."""

    customer: Customer
    channel: str
    kind: str
    template: str
    template_version: int
    subject: str
    body: str
    language: str
    idempotency_key: str
    scheduled_at: dt.datetime
    not_after: dt.datetime | None = None
    table: list[dict] = field(default_factory=list)


def message_queue(
    *,
    customer: Customer,
    channel: str,
    kind: str,
    template: str,
    body: str,
    idempotency_key: str,
    template_version: int = 1,
    subject: str = "",
    language: str = Language.ZH,
    scheduled_at: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    by=None,
    masked: bool = False,
    table: list[dict] | None = None,
) -> tuple[Message, bool]:
    """Put one message in the outbox; returns (message, created).

    Idempotent on `idempotency_key`: queueing the same key again (a rerun of a plan, two processes at
    once) returns the first row untouched. The purpose follows from `kind` (greetings and offers are
    marketing). Identifiers in `subject` and `body` are masked here, as pages show them, unless the
    caller already masked the values it put in (`masked`: a template's complaint reference or survey
    link must reach the customer whole). `table`: a statement's figures for the e-mail's HTML table
    (masked by the caller).
    """
    _check(channel, kind, body, idempotency_key)
    existing = Message.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    draft = Draft(
        customer=customer,
        channel=channel,
        kind=kind,
        template=template,
        template_version=template_version,
        subject=subject if masked else mask_text(subject),
        body=body if masked else mask_text(body),
        language=language,
        idempotency_key=idempotency_key,
        scheduled_at=scheduled_at or timezone.now(),
        not_after=not_after,
        table=table or [],
    )
    message = _row(draft, by)
    try:
        with transaction.atomic():
            message.save(force_insert=True)
            audit(actor=by, **_queued(message))
    except IntegrityError:  # the same key queued by another process a moment ago: theirs stands
        return Message.objects.get(idempotency_key=idempotency_key), False
    return message, True


def messages_queue_many(drafts: Sequence[Draft], *, by=None) -> int:
    """Queue many messages as `message_queue` queues each — same rows, same audit rows, a key already
    queued left untouched — with one read of the keys, one insert of the messages and one of their
    audit rows per batch (a monthly plan queues tens of thousands of statements), in one transaction.
    Returns the number newly queued. Should another process queue one of the keys meanwhile, the
    batch is queued one by one instead, where theirs stands."""
    for d in drafts:
        _check(d.channel, d.kind, d.body, d.idempotency_key)
    keys = [d.idempotency_key for d in drafts]
    known = set(Message.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    fresh = list({d.idempotency_key: d for d in drafts if d.idempotency_key not in known}.values())
    if not fresh:
        return 0
    rows = [_row(d, by) for d in fresh]
    try:
        with transaction.atomic():
            Message.objects.bulk_create(rows, batch_size=1000)
            audit_many((_queued(m) for m in rows), actor=by)
    except IntegrityError:
        return sum(message_queue_draft(d, by=by)[1] for d in fresh)
    return len(rows)


def message_queue_draft(draft: Draft, *, by=None) -> tuple[Message, bool]:
    """`message_queue` of a draft (its texts already masked)."""
    return message_queue(**{name: getattr(draft, name) for name in Draft.__dataclass_fields__}, by=by, masked=True)


def _row(d: Draft, by) -> Message:
    """The outbox row of a draft, unsaved: due at once at its scheduled time."""
    return Message(
        customer=d.customer,
        channel=d.channel,
        purpose=PURPOSE_OF[d.kind],
        kind=d.kind,
        template=d.template,
        template_version=d.template_version,
        subject=d.subject,
        body=d.body,
        table=d.table,
        language=d.language,
        scheduled_at=d.scheduled_at,
        not_after=d.not_after,
        next_attempt_at=d.scheduled_at,
        idempotency_key=d.idempotency_key,
        queued_by=by if getattr(by, "pk", None) else None,
    )


def _queued(m: Message) -> dict:
    """The audit entry of a message queued (`audit`'s arguments but the actor)."""
    detail = {"channel": m.channel, "kind": m.kind, "template": m.template, "version": m.template_version}
    return {
        "action": "message.queue",
        "object_type": "message",
        "object_id": m.pk,
        "customer_no": m.customer.customer_no,
        "detail": detail,
    }


def consent_change(
    *,
    customer: Customer,
    field: str,
    value: bool,
    source: str,
    by=None,
    at: dt.datetime | None = None,
    message: Message | None = None,
    note: str = "",
    ip: str | None = None,
) -> ConsentChange | None:
    """Set one consent flag of `customer` and record the change (time, source, prior and new value,
    who) with its audit row, in one transaction. None when the flag already had that value and no
    earlier withdrawal recorded here is still standing (nothing changed, nothing recorded).

    A withdrawal recorded here outlives a later import that still says yes (the customers extract
    does not know it), so giving consent back is always recorded, even when the flag reads yes."""
    if field not in ConsentField.values:
        raise MessageError(f"unknown consent {field!r}")
    if source not in ConsentSource.values:
        raise MessageError(f"unknown consent source {source!r}")
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        prior = bool(getattr(locked, field))
        latest = ConsentChange.objects.filter(customer=locked, field=field).order_by("-at", "-id").first()
        standing_withdrawal = latest is not None and not latest.value
        effective = prior and not standing_withdrawal
        if effective == value and not (value and standing_withdrawal):
            if prior != value:  # an import set back a flag withdrawn here: the flag follows the record
                Customer.objects.filter(pk=locked.pk).update(**{field: value})
                setattr(customer, field, value)
            return None
        Customer.objects.filter(pk=locked.pk).update(**{field: value})
        setattr(customer, field, value)
        change = ConsentChange.objects.create(
            customer=locked,
            field=field,
            prior=effective,
            value=value,
            source=source,
            at=at or timezone.now(),
            by=by if getattr(by, "pk", None) else None,
            message=message,
            note=note[:200],
        )
        audit(
            action="consent.change",
            actor=by,
            object_type="consent_change",
            object_id=change.pk,
            customer_no=locked.customer_no,
            detail={"field": field, "prior": effective, "value": value, "source": source},
            ip_address=ip,
        )
    return change


RECEIPT_STATUSES = {"delivered": Status.DELIVERED, "failed": Status.FAILED, "bounced": Status.BOUNCED}


def message_receipt(*, key: str, status: str, at: dt.datetime | None = None, error: str = "") -> bool:
    """Apply a provider's delivery receipt to the message with that idempotency key (or provider
    message id). True when a message changed. Only a message handed over can be delivered or
    bounced; a receipt for one already delivered changes nothing (providers repeat themselves)."""
    new = RECEIPT_STATUSES.get(status)
    if new is None or not key:
        return False
    with transaction.atomic():
        message = (
            Message.objects.select_for_update().filter(idempotency_key=key).first()
            or Message.objects.select_for_update().filter(provider_message_id=key).first()
        )
        if message is None or message.status not in (Status.SENT, Status.SENDING):
            return False
        message.status = new
        fields = ["status", "updated_at"]
        if new == Status.DELIVERED:
            message.delivered_at = at or timezone.now()
            fields.append("delivered_at")
        else:
            message.last_error = mask_text(error)[:300]
            fields.append("last_error")
        message.save(update_fields=fields)
        if new == Status.BOUNCED:
            customer = Customer.objects.get(customer_no=message.customer_id)
            bounce_record(message=message, address=address_of(customer, message.channel))
        audit(
            action=f"message.{new}",
            object_type="message",
            object_id=message.pk,
            customer_no=message.customer_id,
            detail={"channel": message.channel},
        )
    return True


def bounce_record(*, message: Message, address: str, at: dt.datetime | None = None) -> Bounce | None:
    """Mark `address` as bouncing after a permanent failure of `message` (SMTP 5xx on the recipient,
    a provider's bounce receipt): later messages to that address are suppressed until it changes.
    App push has no address of its own (the customer number), so it is never marked."""
    if not address or message.channel == Channel.PUSH:
        return None
    with transaction.atomic():
        bounce, created = Bounce.objects.get_or_create(
            customer_id=message.customer_id,
            channel=message.channel,
            address_bidx=address_index(message.channel, address),
            defaults={"message": message, "at": at or timezone.now()},
        )
        if created:
            audit(
                action="message.address_bouncing",
                object_type="message",
                object_id=message.pk,
                customer_no=message.customer_id,
                detail={"channel": message.channel},
            )
    return bounce


LANGUAGE_BATCH = 5000


def languages_import(sender: str, *, rows: pa.Table, business_date: dt.date, **_: object) -> int:
    """Receiver of `tenure.core.signals.ROWS_UPSERTED` for the customers table (inside the
    import's transaction): keep the optional `language` column. A customer whose row says another
    language than Chinese gets a `CustomerLanguage` row; one whose row says `zh` or leaves it empty
    (an extract without the column reads as empty, like every optional column) loses it. Returns the
    number of customers of these rows who read another language."""
    if sender != "customers" or "language" not in rows.column_names:
        return 0
    numbers = rows["customer_no"].to_pylist()
    chosen = {n: lang for n, lang in zip(numbers, rows["language"].to_pylist(), strict=True) if lang and lang != "zh"}
    # The table holds only the few customers who read another language: the ones to drop are found
    # among them, never by a million-number IN list (SQLite refuses that many variables).
    gone = sorted(set(CustomerLanguage.objects.values_list("customer_id", flat=True)) & set(numbers) - set(chosen))
    for start in range(0, len(gone), LANGUAGE_BATCH):
        CustomerLanguage.objects.filter(customer_id__in=gone[start : start + LANGUAGE_BATCH]).delete()
    CustomerLanguage.objects.bulk_create(
        [CustomerLanguage(customer_id=n, language=lang, updated_on=business_date) for n, lang in chosen.items()],
        batch_size=LANGUAGE_BATCH,
        update_conflicts=True,
        unique_fields=["customer"],
        update_fields=["language", "updated_on"],
    )
    return len(chosen)
