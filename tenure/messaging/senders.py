"""The senders: what the bank says to customers, planned into the outbox from approved templates.

* `messages_plan(on)` — the daily part, for `on`, the day the messages go out (`tenure daily` calls it
  with today's date by the clock, before sending): greetings of the day, own-product maturity notices
  7 days ahead, loan and credit-card repayment reminders 3 days ahead, the statement notice on the
  1st of a month, and the message of a retention campaign to its treated members (never the control
  group) in the campaign's first two weeks.
* `complaint_reply_queue` and `survey_invitations_queue` — at the moment of the event (a complaint
  resolved, a survey wave issued), by the signals those apps send.

Every message has an idempotency key made of what makes it one of a kind (customer, date, account,
complaint, invitation), so rerunning a plan for the same date queues nothing twice. Consent is not
judged here: the dispatcher checks it at the moment of sending (docs/messaging.md), so a customer who
opts out after the plan ran gets nothing. Each message is written in the customer's language
(`selectors.languages_of`: Chinese unless the extract says otherwise).
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from tenure import lake
from tenure.core.masking import mask_account
from tenure.customers.models import OWN_BANK, Account, AccountStatus, Customer, ProductType
from tenure.customers.selectors import Maturity, maturities_between
from tenure.engagement.greetings import Festival, Greeting, greetings_between
from tenure.engagement.greetings import Kind as GreetingKind
from tenure.messaging.models import Channel, Language, Message
from tenure.messaging.selectors import languages_of
from tenure.messaging.texts import TemplateError, message_from_template
from tenure.retention.models import Campaign, CampaignMember
from tenure.web.templatetags.tenure_fmt import yuan

log = logging.getLogger(__name__)

MATURITY_NOTICE_DAYS = 7
REPAYMENT_NOTICE_DAYS = 3
CAMPAIGN_SEND_DAYS = 14  # a campaign's members are messaged in its first two weeks, never late
REPAYING_TYPES = (ProductType.LOAN, ProductType.CREDIT_CARD)
CHUNK = 2000
SMS_FIRST = (Channel.SMS, Channel.EMAIL)
EMAIL_FIRST = (Channel.EMAIL, Channel.SMS)


def channel_for(customer: Customer, order: Sequence[str] = SMS_FIRST) -> str:
    """The channel a planned message goes on: the first of `order` (SMS, then e-mail) the customer
    agreed to and has an address for, else the first (the dispatcher then records why it was not sent)."""
    for channel in order:
        if channel == Channel.SMS and customer.consent_sms and customer.mobile:
            return channel
        if channel == Channel.EMAIL and customer.consent_email and customer.email:
            return channel
    return order[0]


def _day(on: dt.date, clock: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(on, clock))


def _name(customer: Customer) -> str:
    return customer.name


def _locale(language: str) -> str:
    return "en" if language == Language.EN else "zh-hans"


def _occasion(greeting: Greeting, language: str) -> str:
    with translation.override(_locale(language)):
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
        languages = languages_of(by_no)
        for greeting in batch:
            customer = by_no[greeting.customer]
            channel = channel_for(customer)
            language = languages.get(customer.customer_no, Language.ZH)
            _, new = message_from_template(
                customer=customer,
                code="greeting",
                channel=channel,
                language=language,
                values={"name": _name(customer), "occasion": _occasion(greeting, language)},
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
        maturities = maturities_between(pool, due, due)
        languages = languages_of(m.customer.customer_no for m in maturities)
        for maturity in maturities:
            created += _maturity_queue(maturity, on, languages.get(maturity.customer.customer_no, Language.ZH))
    return created


def _account_values(customer: Customer, account: Account, day: dt.date, amount: Decimal | None) -> dict[str, str]:
    """The values of an account's reminder: product, masked account number, date and amount."""
    return {
        "name": _name(customer),
        "product": account.product.name,
        "account": mask_account(account.account_number) or account.account_id,
        "date": day.isoformat(),
        "amount": yuan(amount) if amount is not None else "—",
    }


def _maturity_queue(maturity: Maturity, on: dt.date, language: str) -> bool:
    customer, account = maturity.customer, maturity.account
    channel = channel_for(customer)
    _, created = message_from_template(
        customer=customer,
        code="maturity_reminder",
        channel=channel,
        language=language,
        values=_account_values(customer, account, maturity.date, maturity.amount),
        idempotency_key=f"maturity:{account.account_id}:{maturity.date.isoformat()}:{channel}",
        scheduled_at=_day(on, dt.time(9)),
        not_after=_day(maturity.date, dt.time(20, 59)),
    )
    return created


def repayment_due_on(opened_on: dt.date, year: int, month: int) -> dt.date:
    """A loan's or credit card's repayment day in a month: the day of the month it was opened (the
    month's last day when that month is shorter). The extract carries no repayment schedule; core
    banking's default instalment day is the disbursement day, which is also what the demo generates."""
    return dt.date(year, month, min(opened_on.day, calendar.monthrange(year, month)[1]))


def repayments_queue(on: dt.date, customers: QuerySet | None = None) -> int:
    """Queue a reminder for each open own loan or credit card whose repayment falls due
    `REPAYMENT_NOTICE_DAYS` after `on` (`repayment_due_on`) and that owes something (latest balance in
    the lake above zero), sent from 09:00 on `on` and not after the due date. Returns the number queued."""
    pool = customers if customers is not None else Customer.objects.all()
    due = on + dt.timedelta(days=REPAYMENT_NOTICE_DAYS)
    same_day = Q(opened_on__day=due.day)
    if due.day == calendar.monthrange(due.year, due.month)[1]:  # the 31st's accounts pay on the 30th, …
        same_day |= Q(opened_on__day__gt=due.day)
    accounts = [
        account
        for account in Account.objects.filter(
            same_day,
            customer__in=pool,
            product__product_type__in=REPAYING_TYPES,
            product__issuer=OWN_BANK,
            closed_on__isnull=True,
            opened_on__lt=due.replace(day=1),  # the first repayment is the month after opening
        )
        .exclude(status=AccountStatus.CLOSED)
        .select_related("product", "customer")
        .order_by("account_id")
        if repayment_due_on(account.opened_on, due.year, due.month) == due
    ]
    if not accounts:
        return 0
    by_date = lake.balances_by_date([a.account_id for a in accounts], months=1)
    owed = by_date[max(by_date)] if by_date else {}
    languages = languages_of(a.customer_id for a in accounts)
    created = 0
    with transaction.atomic():  # one commit, not one per message
        for account in accounts:
            amount = owed.get(account.account_id)
            if amount is None or amount <= 0:  # nothing owed (or unknown): nothing to remind of
                continue
            customer = account.customer
            channel = channel_for(customer)
            _, new = message_from_template(
                customer=customer,
                code="repayment_reminder",
                channel=channel,
                language=languages.get(customer.customer_no, Language.ZH),
                values=_account_values(customer, account, due, amount),
                idempotency_key=f"repayment:{account.account_id}:{due.isoformat()}:{channel}",
                scheduled_at=_day(on, dt.time(9)),
                not_after=_day(due, dt.time(20, 59)),
            )
            created += new
    return created


def _period(year: int, month: int, language: str) -> str:
    """A statement's month as the customer reads it: 2026年12月 / December 2026."""
    return f"{calendar.month_name[month]} {year}" if language == Language.EN else f"{year}年{month}月"


def statements_queue(on: dt.date, customers: QuerySet | None = None) -> int:
    """On the 1st of a month, tell each customer with an open own account and an e-mail address that
    the previous month's statement is ready (e-mail first), sent from 09:00 and within the week.
    Other days queue nothing. Returns the number newly queued."""
    if on.day != 1:
        return 0
    pool = customers if customers is not None else Customer.objects.all()
    last = on - dt.timedelta(days=1)
    holders = (
        pool.filter(accounts__closed_on__isnull=True, accounts__product__issuer=OWN_BANK)
        .exclude(email="")
        .distinct()
        .order_by("customer_no")
    )
    created = 0
    numbers = list(holders.values_list("customer_no", flat=True))
    for start in range(0, len(numbers), CHUNK):
        with transaction.atomic():  # one commit per chunk, not per message
            chunk = _customers(numbers[start : start + CHUNK])
            languages = languages_of(chunk)
            for number, customer in chunk.items():
                channel = channel_for(customer, EMAIL_FIRST)
                language = languages.get(number, Language.ZH)
                _, new = message_from_template(
                    customer=customer,
                    code="statement_ready",
                    channel=channel,
                    language=language,
                    values={"name": _name(customer), "period": _period(last.year, last.month, language)},
                    idempotency_key=f"statement:{number}:{last:%Y-%m}:{channel}",
                    scheduled_at=_day(on, dt.time(9)),
                    not_after=_day(on + dt.timedelta(days=6), dt.time(20, 59)),
                )
                created += new
    return created


def campaigns_queue(on: dt.date) -> int:
    """Queue the retention campaign message (marketing: consent, quiet hours and the cap apply at
    sending) to the treated members of every campaign started in the `CAMPAIGN_SEND_DAYS` up to `on`
    and not yet measured; the control group gets nothing, so that the measured difference is the
    campaign's. Sent from 09:00 on `on`, within the week. Returns the number newly queued."""
    since = timezone.make_aware(dt.datetime.combine(on - dt.timedelta(days=CAMPAIGN_SEND_DAYS), dt.time()))
    until = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time()))
    created = 0
    for campaign in Campaign.objects.filter(created_at__gte=since, created_at__lt=until, measured_at__isnull=True):
        prefix = f"campaign:{campaign.pk}:"
        done = set(Message.objects.filter(idempotency_key__startswith=prefix).values_list("customer_id", flat=True))
        members = CampaignMember.objects.filter(campaign=campaign, group=CampaignMember.Group.TREATED)
        customers = [m.customer for m in members.select_related("customer") if m.customer.customer_no not in done]
        languages = languages_of(c.customer_no for c in customers)
        with transaction.atomic():  # one commit per campaign, not per message
            for customer in customers:
                channel = channel_for(customer)
                _, new = message_from_template(
                    customer=customer,
                    code="retention_campaign",
                    channel=channel,
                    language=languages.get(customer.customer_no, Language.ZH),
                    values={"name": _name(customer)},
                    idempotency_key=f"{prefix}{customer.customer_no}:{channel}",
                    scheduled_at=_day(on, dt.time(9)),
                    not_after=_day(on + dt.timedelta(days=6), dt.time(20, 59)),
                )
                created += new
    return created


def messages_plan(on: dt.date) -> dict[str, Any]:
    """The daily step: queue what goes out on `on` (idempotent: a rerun for the same date queues
    nothing). Returns the counts newly queued per sender."""
    return {
        "date": on.isoformat(),
        "greetings": greetings_queue(on),
        "maturities": maturities_queue(on),
        "repayments": repayments_queue(on),
        "statements": statements_queue(on),
        "campaigns": campaigns_queue(on),
    }


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
            language=languages_of([customer.customer_no]).get(customer.customer_no, Language.ZH),
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
    languages = languages_of(c.customer_no for c in by_id.values())
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
                language=languages.get(customer.customer_no, Language.ZH),
                values={"name": _name(customer), "url": url, "expires": expires},
                idempotency_key=f"survey:{invitation.pk}:{wave.channel}",
                scheduled_at=invitation.created_at,
                not_after=wave.expires_at,
            )
        except TemplateError:
            log.warning("wave %s issued without messages: no approved survey_invitation template", wave.pk)
            return
