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
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
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
from tenure.messaging.models import DUE, SUPPRESSION_REASONS, Message, Purpose, Reason, Status
from tenure.messaging.moderation import Pacer, QuietHours
from tenure.messaging.selectors import address_bouncing, address_of, consent_refusal
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
                for message in Message.objects.filter(id__in=ids).order_by("next_attempt_at", "id"):
                    self.handle(message)
        finally:
            for sender in self.senders.values():
                sender.close()
        return self.summary

    def handle(self, message: Message) -> None:
        now = self.clock()
        if message.not_after and now > message.not_after:
            return self._suppress(message, Reason.EXPIRED)
        customer = Customer.objects.get(customer_no=message.customer_id)  # consent as it stands now
        refusal = consent_refusal(customer, channel=message.channel, purpose=message.purpose)
        if refusal:
            return self._suppress(message, refusal)
        address = address_of(customer, message.channel)
        if not address:
            return self._suppress(message, Reason.NO_ADDRESS)
        if address_bouncing(customer, message.channel, address):
            return self._suppress(message, Reason.BOUNCING)
        resume = self.quiet.resume_at(now)
        if resume is not None:
            if message.not_after and resume > message.not_after:
                return self._suppress(message, Reason.QUIET_HOURS)
            return self._defer(message, resume, Reason.QUIET_HOURS)
        if self._duplicate(message, now):
            return self._suppress(message, Reason.DUPLICATE)
        if message.purpose == Purpose.MARKETING and self._over_cap(message, now):
            return self._suppress(message, Reason.FREQUENCY_CAP)
        self.pacer.wait(message.channel)
        if message.channel not in self.senders:
            self.senders[message.channel] = make_sender(message.channel)
        outcome = self.senders[message.channel].send(message, address)
        self._record(message, outcome)
        if outcome.bounced:
            bounce_record(message=message, address=address, at=self.clock())

    def _duplicate(self, message: Message, now: dt.datetime) -> bool:
        window = dt.timedelta(hours=settings.MESSAGING_DUPLICATE_HOURS)
        return (
            Message.objects.filter(
                customer_id=message.customer_id,
                template=message.template,
                status__in=SENT_STATES,
                sent_at__gt=now - window,
            )
            .exclude(pk=message.pk)
            .exists()
        )

    def _over_cap(self, message: Message, now: dt.datetime) -> bool:
        since = now - dt.timedelta(days=settings.MESSAGING_MARKETING_CAP_DAYS)
        sent = Message.objects.filter(
            customer_id=message.customer_id, purpose=Purpose.MARKETING, status__in=SENT_STATES, sent_at__gt=since
        ).exclude(pk=message.pk)
        return sent.count() >= settings.MESSAGING_MARKETING_CAP

    def _finish(self, message: Message, **fields: Any) -> None:
        """Write the row's result, only if this sender still holds it (`sending`)."""
        Message.objects.filter(pk=message.pk, status=Status.SENDING).update(updated_at=timezone.now(), **fields)

    def _suppress(self, message: Message, reason: str) -> None:
        self._finish(message, status=Status.SUPPRESSED, reason=reason)
        suppressed = self.summary["suppressed"]
        suppressed[reason] = suppressed.get(reason, 0) + 1

    def _defer(self, message: Message, until: dt.datetime, reason: str, error: str = "") -> None:
        fields: dict[str, Any] = {"status": Status.DEFERRED, "reason": reason, "next_attempt_at": until}
        if error:
            fields |= {"attempts": F("attempts") + 1, "last_error": error}
        self._finish(message, **fields)
        self.summary["deferred"] += 1

    def _record(self, message: Message, outcome: Outcome) -> None:
        now = self.clock()
        if outcome.ok:
            self._finish(
                message,
                status=Status.SENT,
                reason="",
                sent_at=now,
                attempts=F("attempts") + 1,
                provider_message_id=outcome.provider_id,
                last_error="",
            )
            self.summary["sent"] += 1
            return
        error = mask_text(outcome.error)[:300]
        attempts = message.attempts + 1
        if outcome.retryable and attempts < settings.MESSAGING_MAX_ATTEMPTS:
            return self._defer(message, now + backoff(attempts), Reason.RETRY, error)
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
