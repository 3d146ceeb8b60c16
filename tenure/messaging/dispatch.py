"""Sending what is due in the outbox: claim, check consent and moderation at that moment, send, record.

How a stopped sender loses nothing and sends nothing twice:

* Rows are **claimed** in a short transaction (`queued`/`deferred` → `sending`): on PostgreSQL with
  `SELECT … FOR UPDATE SKIP LOCKED`, on SQLite under its write lock; and every run holds the run
  lock (`tenure.core.runlock`), so one sender works at a time.
* Each row's result is written as soon as the provider answers, by a conditional update
  (`sending` → `sent`, …) in its own transaction. A row sent and recorded is never claimed again.
* A row still `sending` when a run starts was claimed by a sender that died (the run lock says no
  other is alive). Whether the provider took it is unknown, so it is sent again **under the same
  idempotency key** (the e-mail's Message-ID, the gateway's `id` and `Idempotency-Key`), by which the
  gateway drops a copy it already has. Only a sender killed between the provider's answer and its
  own commit can cause such a resend; every other moment of a kill leaves the row simply due.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from tenure.core.masking import mask_text
from tenure.customers.models import Customer
from tenure.messaging.channels import (
    ChannelConfigError,
    EmailSender,
    GatewaySender,
    Outcome,
    check_gateways,
    make_sender,
)
from tenure.messaging.models import DUE, SUPPRESSION_REASONS, ConsentField, Message, Purpose, Reason, Status
from tenure.messaging.moderation import Pacer, QuietHours
from tenure.messaging.selectors import (
    address_index,
    address_of,
    bounced_indexes,
    consent_refusal,
    withdrawn_by_customer,
)
from tenure.messaging.services import bounce_record

BATCH = 200
MAX_BACKOFF = dt.timedelta(hours=24)
SENT_STATES = (Status.SENT, Status.DELIVERED)


def quiet_hours() -> QuietHours:
    try:
        return QuietHours.parse(settings.MESSAGING_QUIET_HOURS, settings.TIME_ZONE)
    except ValueError as exc:
        raise ChannelConfigError(f"TENURE_MESSAGING_QUIET_HOURS: {exc}") from None


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt `attempts + 1`: TENURE_MESSAGING_RETRY_SECONDS, doubled per attempt made
    (60 s, 2 min, 4 min, …), at most a day."""
    seconds = settings.MESSAGING_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return min(dt.timedelta(seconds=seconds), MAX_BACKOFF)


def recover_claimed() -> int:
    """Rows a stopped sender left `sending`: due again (same key). Call only under the run lock."""
    return Message.objects.filter(status=Status.SENDING).update(status=Status.QUEUED)


def claim(now: dt.datetime, *, limit: int = BATCH) -> list[int]:
    """Claim up to `limit` due rows (oldest due first) for this sender; returns their ids."""
    with transaction.atomic():
        due = Message.objects.filter(status__in=DUE, next_attempt_at__lte=now).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            Message.objects.filter(id__in=ids, status__in=DUE).update(status=Status.SENDING)
    return ids


@dataclass
class BatchFacts:
    """What the checks of one claimed batch read, one query each instead of five per message: the
    customers as they stand now (consent, addresses), their withdrawn consents, their bounced
    addresses, and what went to them recently (de-duplication, frequency cap). A send within the
    batch is added as it happens, so a later row of the same batch sees it."""

    customers: dict[str, Customer]
    withdrawn: dict[str, set[str]]
    bounced: set[tuple[str, str, str]]
    recent: set[tuple[str, str]]  # (customer, template) sent within the duplicate window
    marketing: Counter[str]  # customer -> marketing messages sent within the cap period

    @classmethod
    def read(cls, messages: list[Message], now: dt.datetime) -> BatchFacts:
        numbers = {m.customer_id for m in messages}
        sent = Message.objects.filter(customer_id__in=numbers, status__in=SENT_STATES)
        window = now - dt.timedelta(hours=settings.MESSAGING_DUPLICATE_HOURS)
        templates = {m.template for m in messages}
        recent = sent.filter(sent_at__gt=window, template__in=templates).values_list("customer_id", "template")
        marketing: Counter[str] = Counter()
        if any(m.purpose == Purpose.MARKETING for m in messages):
            since = now - dt.timedelta(days=settings.MESSAGING_MARKETING_CAP_DAYS)
            counts = (
                sent.filter(purpose=Purpose.MARKETING, sent_at__gt=since)
                .values("customer_id")
                .annotate(n=Count("id"))
                .values_list("customer_id", "n")
            )
            marketing.update({str(number): n for number, n in counts})
        return cls(
            customers=Customer.objects.in_bulk(list(numbers), field_name="customer_no"),
            withdrawn=withdrawn_by_customer(numbers, ConsentField.values),
            bounced=bounced_indexes(numbers),
            recent={(str(number), template) for number, template in recent},
            marketing=marketing,
        )

    def sent(self, message: Message) -> None:
        self.recent.add((message.customer_id, message.template))
        if message.purpose == Purpose.MARKETING:
            self.marketing[message.customer_id] += 1


def _record_sent_sql() -> str:
    table, q = Message._meta.db_table, connection.ops.quote_name
    return (
        f"UPDATE {q(table)} SET status = %s, reason = '', sent_at = %s, attempts = attempts + 1, "
        f"provider_message_id = %s, last_error = '', updated_at = %s WHERE id = %s AND status = %s"
    )


def record_sent(message_id: int, *, provider_id: str, at: dt.datetime) -> bool:
    """Write "sent" the moment the provider accepted the message, only while this sender holds the row.

    One prepared statement instead of the ORM's per-call query compilation: this is the one write per
    message that cannot be batched (a kill after it must not resend; before it, the same key resends)."""
    stamp = timezone.now()
    values = [
        Status.SENT.value,
        connection.ops.adapt_datetimefield_value(at),
        provider_id,
        connection.ops.adapt_datetimefield_value(stamp),
        message_id,
        Status.SENDING.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_record_sent_sql(), values)
        return cursor.rowcount == 1


class Dispatcher:
    """One run of the sender: `run()` sends everything due and returns the counts."""

    def __init__(
        self,
        *,
        now: dt.datetime | None = None,
        channel_senders: dict[str, EmailSender | GatewaySender] | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.clock: Callable[[], dt.datetime] = (lambda: now) if now is not None else timezone.now
        # Made on first use: a run with nothing to send opens no connection and creates no folder.
        self.senders: dict[str, EmailSender | GatewaySender] = dict(channel_senders or {})
        self.pacer = pacer or Pacer(dict(settings.MESSAGING_RATE))
        self.quiet = quiet_hours()
        # Outcomes that call no provider, written once per batch (a kill before that leaves the rows
        # `sending`: the next run recovers and judges them again, and nothing was sent).
        self.pending: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        self.summary: dict[str, Any] = {
            "sent": 0,
            "deferred": 0,
            # every suppression reason, even at 0; others (retries) appear when they occur
            "suppressed": {str(reason): 0 for reason in SUPPRESSION_REASONS},
            "failed": 0,
            "recovered": 0,
        }

    def run(self) -> dict[str, Any]:
        check_gateways()
        self.summary["recovered"] = recover_claimed()
        try:
            while ids := claim(self.clock()):
                messages = list(Message.objects.filter(id__in=ids).order_by("next_attempt_at", "id"))
                facts = BatchFacts.read(messages, self.clock())
                for message in messages:
                    self.handle(message, facts)
                self._flush()
        finally:
            for sender in self.senders.values():
                sender.close()
        return self.summary

    def handle(self, message: Message, facts: BatchFacts) -> None:
        now = self.clock()
        if message.not_after and now > message.not_after:
            return self._suppress(message, Reason.EXPIRED)
        customer = facts.customers[message.customer_id]  # consent as it stands now
        refusal = consent_refusal(
            customer,
            channel=message.channel,
            purpose=message.purpose,
            withdrawn=facts.withdrawn.get(customer.customer_no, set()),
        )
        if refusal:
            return self._suppress(message, refusal)
        address = address_of(customer, message.channel)
        if not address:
            return self._suppress(message, Reason.NO_ADDRESS)
        if (customer.customer_no, message.channel, address_index(message.channel, address)) in facts.bounced:
            return self._suppress(message, Reason.BOUNCING)
        resume = self.quiet.resume_at(now)
        if resume is not None:
            if message.not_after and resume > message.not_after:
                return self._suppress(message, Reason.QUIET_HOURS)
            return self._defer_later(message, resume)
        if (message.customer_id, message.template) in facts.recent:
            return self._suppress(message, Reason.DUPLICATE)
        if (
            message.purpose == Purpose.MARKETING
            and facts.marketing[message.customer_id] >= settings.MESSAGING_MARKETING_CAP
        ):
            return self._suppress(message, Reason.FREQUENCY_CAP)
        self.pacer.wait(message.channel)
        if message.channel not in self.senders:
            self.senders[message.channel] = make_sender(message.channel)
        outcome = self.senders[message.channel].send(message, address)
        self._record(message, outcome)
        if outcome.ok:
            facts.sent(message)
        if outcome.bounced:
            bounce_record(message=message, address=address, at=self.clock())
            facts.bounced.add((customer.customer_no, message.channel, address_index(message.channel, address)))

    def _flush(self) -> None:
        """Write the batch's suppressions and quiet-hour deferrals: one update per outcome."""
        for (status, reason, until), ids in self.pending.items():
            fields: dict[str, Any] = {"status": status, "reason": reason}
            if until is not None:
                fields["next_attempt_at"] = until
            Message.objects.filter(pk__in=ids, status=Status.SENDING).update(updated_at=timezone.now(), **fields)
        self.pending.clear()

    def _finish(self, message: Message, **fields: Any) -> None:
        """Write the row's result, only if this sender still holds it (`sending`)."""
        Message.objects.filter(pk=message.pk, status=Status.SENDING).update(updated_at=timezone.now(), **fields)

    def _suppress(self, message: Message, reason: str) -> None:
        self.pending[(Status.SUPPRESSED, reason, None)].append(message.pk)
        suppressed = self.summary["suppressed"]
        suppressed[reason] = suppressed.get(reason, 0) + 1

    def _defer_later(self, message: Message, until: dt.datetime) -> None:
        """Quiet hours: due again at their end (written with the batch)."""
        self.pending[(Status.DEFERRED, Reason.QUIET_HOURS, until)].append(message.pk)
        self.summary["deferred"] += 1

    def _retry(self, message: Message, until: dt.datetime, error: str) -> None:
        """A temporary refusal by the provider: one more attempt made, due again after the back-off."""
        self._finish(
            message,
            status=Status.DEFERRED,
            reason=Reason.RETRY,
            next_attempt_at=until,
            attempts=F("attempts") + 1,
            last_error=error,
        )
        self.summary["deferred"] += 1

    def _record(self, message: Message, outcome: Outcome) -> None:
        now = self.clock()
        if outcome.ok:
            record_sent(message.pk, provider_id=outcome.provider_id, at=now)
            self.summary["sent"] += 1
            return
        error = mask_text(outcome.error)[:300]
        attempts = message.attempts + 1
        if outcome.retryable and attempts < settings.MESSAGING_MAX_ATTEMPTS:
            return self._retry(message, now + backoff(attempts), error)
        if outcome.bounced:
            status, reason = Status.BOUNCED, Reason.PERMANENT
        else:
            status, reason = Status.FAILED, Reason.GAVE_UP if outcome.retryable else Reason.PERMANENT
        self._finish(message, status=status, reason=reason, attempts=F("attempts") + 1, last_error=error)
        self.summary["failed"] += 1


def messages_send(*, now: dt.datetime | None = None, **kwargs: Any) -> dict[str, Any]:
    """Send every message due at `now` (default: the clock, read per message). Returns the counts
    `messages send --json` prints. Call under the run lock (the command and `tenure daily` do)."""
    return Dispatcher(now=now, **kwargs).run()
