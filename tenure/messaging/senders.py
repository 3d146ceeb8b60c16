"""The senders: what the bank says to customers, planned into the outbox from approved templates.

* `messages_plan(on)` — the daily part, for `on`, the day the messages go out (`tenure daily` calls it
  with today's date by the clock, before sending): greetings of the day and own-product maturity
  notices 7 days ahead.
* `complaint_reply_queue` and `survey_invitations_queue` — at the moment of the event (a complaint
  resolved, a survey wave issued), by the signals those apps send.

Every message has an idempotency key made of what makes it one of a kind (customer, date, account,
complaint, invitation), so rerunning a plan for the same date queues nothing twice. Consent is not
judged here: the dispatcher checks it at the moment of sending (docs/messaging.md), so a customer who
opts out after the plan ran gets nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from tenure.core.masking import mask_account
from tenure.customers.models import Customer
from tenure.customers.selectors import Maturity, maturities_between
from tenure.engagement.greetings import Festival, Greeting, greetings_between
from tenure.engagement.greetings import Kind as GreetingKind
from tenure.messaging.models import Channel
from tenure.messaging.texts import TemplateError, message_from_template
from tenure.web.templatetags.tenure_fmt import yuan

log = logging.getLogger(__name__)

MATURITY_NOTICE_DAYS = 7
LANGUAGE = "zh"  # the extract has no language per customer: the bank's first language
CHUNK = 2000


def channel_for(customer: Customer) -> str:
    """The channel a planned message goes on: SMS when the customer agreed to it and has a mobile,
    else e-mail on the same terms, else SMS (the dispatcher then records why it was not sent)."""
    if customer.consent_sms and customer.mobile:
        return Channel.SMS
    if customer.consent_email and customer.email:
        return Channel.EMAIL
    return Channel.SMS


def _day(on: dt.date, clock: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(on, clock))


def _name(customer: Customer) -> str:
    return customer.name


def _occasion(greeting: Greeting) -> str:
    with translation.override("zh-hans" if LANGUAGE == "zh" else "en"):
        if greeting.kind == GreetingKind.FESTIVAL:
            return str(Festival(greeting.festival).label)
        return str(GreetingKind(greeting.kind).label)


def _customers(numbers: Iterable[str]) -> dict[str, Customer]:
    return {c.customer_no: c for c in Customer.objects.filter(customer_no__in=list(numbers))}


def greetings_queue(on: dt.date, customers: QuerySet | None = None) -> int:
    """Queue the greetings due on `on` (birthdays, lunar birthdays, anniversaries, festivals), sent
    from 09:00 that day and not after its end. Returns the number newly queued."""
    pool = customers if customers is not None else Customer.objects.all()
    created = 0
    batch: list[Greeting] = []

    @transaction.atomic  # one commit per chunk, not per message
    def flush() -> int:
        made = 0
        by_no = _customers(g.customer for g in batch)
        for greeting in batch:
            customer = by_no[greeting.customer]
            channel = channel_for(customer)
            _, new = message_from_template(
                customer=customer,
                code="greeting",
                channel=channel,
                language=LANGUAGE,
                values={"name": _name(customer), "occasion": _occasion(greeting)},
                idempotency_key=f"greeting:{customer.customer_no}:{on.isoformat()}:{greeting.kind}:{channel}",
                scheduled_at=_day(on, dt.time(9)),
                not_after=_day(on, dt.time(20, 59)),
            )
            made += new
        batch.clear()
        return made

    for greeting in greetings_between(pool, on, on):
        batch.append(greeting)
        if len(batch) >= CHUNK:
            created += flush()
    return created + flush()


def maturities_queue(on: dt.date, customers: QuerySet | None = None) -> int:
    """Queue a notice for each own-product deposit or wealth account maturing `MATURITY_NOTICE_DAYS`
    after `on`, sent from 09:00 on `on` and not after the maturity date. Returns the number queued."""
    pool = customers if customers is not None else Customer.objects.all()
    due = on + dt.timedelta(days=MATURITY_NOTICE_DAYS)
    created = 0
    with transaction.atomic():  # one commit, not one per message
        for maturity in maturities_between(pool, due, due):
            created += _maturity_queue(maturity, on)
    return created


def _maturity_queue(maturity: Maturity, on: dt.date) -> bool:
    customer, account = maturity.customer, maturity.account
    channel = channel_for(customer)
    _, created = message_from_template(
        customer=customer,
        code="maturity_reminder",
        channel=channel,
        language=LANGUAGE,
        values={
            "name": _name(customer),
            "product": maturity.product.name,
            "account": mask_account(account.account_number) or account.account_id,
            "date": maturity.date.isoformat(),
            "amount": yuan(maturity.amount) if maturity.amount is not None else "—",
        },
        idempotency_key=f"maturity:{account.account_id}:{maturity.date.isoformat()}:{channel}",
        scheduled_at=_day(on, dt.time(9)),
        not_after=_day(maturity.date, dt.time(20, 59)),
    )
    return created


def messages_plan(on: dt.date) -> dict[str, Any]:
    """The daily step: queue the greetings and maturity notices of `on`, the day they go out
    (idempotent: a rerun for the same date queues nothing). Returns the counts newly queued."""
    return {"date": on.isoformat(), "greetings": greetings_queue(on), "maturities": maturities_queue(on)}


def complaint_reply_queue(*, complaint: Any, at: dt.datetime, **_: Any) -> None:
    """Queue the resolution notice to the complainant (receiver of `COMPLAINT_RESOLVED`, inside the
    resolving transaction). A public complaint not yet matched to a customer has no outbox row to
    go to and gets none; a reopened and resolved-again complaint gets a new notice."""
    customer = complaint.customer
    if customer is None:
        return
    channel = channel_for(customer)
    try:
        message_from_template(
            customer=customer,
            code="complaint_reply",
            channel=channel,
            language=LANGUAGE,
            values={"name": _name(customer), "reference": complaint.reference},
            idempotency_key=f"complaint:{complaint.pk}:resolved:{complaint.reopened_count}:{channel}",
            scheduled_at=at,
        )
    except TemplateError:  # a missing template must not stop the complaint from being resolved
        log.warning("complaint %s resolved without a reply: no approved complaint_reply template", complaint.pk)


def survey_invitations_queue(*, issued: Any, **_: Any) -> None:
    """Queue one invitation per customer of a wave just issued, with their answer link (receiver of
    `WAVE_ISSUED`: the tokens exist only at that moment), on the wave's channel, not after it expires."""
    wave = issued.wave
    if wave.expires_at <= timezone.now():  # issued back-dated (the demo's history): nothing to invite to
        return
    by_id = Customer.objects.in_bulk([invitation.customer_id for invitation, _ in issued.links])
    expires = timezone.localtime(wave.expires_at).date().isoformat()
    for invitation, token in issued.links:
        customer = by_id.get(invitation.customer_id)
        if customer is None:
            continue
        url = settings.MESSAGING_PUBLIC_URL + reverse("survey_public:answer", args=[token])
        try:
            message_from_template(
                customer=customer,
                code="survey_invitation",
                channel=wave.channel,
                language=LANGUAGE,
                values={"name": _name(customer), "url": url, "expires": expires},
                idempotency_key=f"survey:{invitation.pk}:{wave.channel}",
                scheduled_at=invitation.created_at,
                not_after=wave.expires_at,
            )
        except TemplateError:
            log.warning("wave %s issued without messages: no approved survey_invitation template", wave.pk)
            return
