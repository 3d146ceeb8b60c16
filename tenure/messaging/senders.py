"""The senders: what the bank says to customers, planned into the outbox from approved templates.

* `messages_plan(on)` — the daily part, for `on`, the day the messages go out (`tenure daily` calls it
  with today's date by the clock, before sending): greetings of the day, own-product maturity notices
  7 days ahead, loan and credit-card repayment reminders 3 days ahead, the statement notice on the
  1st of a month, and the message of a retention campaign to its treated members (never the control
  group) in the campaign's first two weeks.
  The contact plan's digital contacts go out here too: the next library article a customer has not
  had, when the plan says a message is due (`plan_messages_queue`).
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
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tenure import lake
from tenure.analytics.models import CustomerValue
from tenure.core.audit import audit
from tenure.core.figures import yuan
from tenure.customers.models import OWN_BANK, Account, AccountStatus, Customer, Product, ProductType
from tenure.customers.selectors import Maturity, maturities_between
from tenure.engagement import plans
from tenure.engagement.greetings import Festival, Greeting, greetings_between
from tenure.engagement.greetings import Kind as GreetingKind
from tenure.messaging.facts import (
    AccountActivity,
    account_values,
    activities,
    month_text,
    product_values,
    statement_table,
    summary_text,
)
from tenure.messaging.models import Channel, Language, Message, MessageTemplate
from tenure.messaging.selectors import LIBRARY_KINDS, languages_of
from tenure.messaging.services import messages_queue_many
from tenure.messaging.texts import (
    TemplateError,
    approved_versions,
    latest_approved,
    message_draft,
    message_from_template,
    rendered,
)
from tenure.offers.suitability import Verdict, suitable
from tenure.retention.models import Campaign, CampaignMember, LotteryEntry

log = logging.getLogger(__name__)

MATURITY_NOTICE_DAYS = 7
REPAYMENT_NOTICE_DAYS = 3
PLAN_MESSAGE_AT = dt.time(10)  # the contact plan's articles go out mid-morning
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


def _maturity_queue(maturity: Maturity, on: dt.date, language: str) -> bool:
    customer, account = maturity.customer, maturity.account
    channel = channel_for(customer)
    _, created = message_from_template(
        customer=customer,
        code="maturity_reminder",
        channel=channel,
        language=language,
        values=account_values(account, language, maturity.date, maturity.amount),
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
    """Queue a reminder for each open own loan or credit card with a repayment due
    `REPAYMENT_NOTICE_DAYS` after `on`, sent from 09:00 on `on` and not after the due date. Returns the
    number queued.

    When the extract carries the repayment schedule (table `repayments`, docs/data-formats.md), its
    latest business date says which accounts owe what on that day (template `repayment_instalment`,
    with the amount due). Otherwise the day is derived from the opening day (`repayment_due_on`) and
    the reminder states the balance owed (latest balance in the lake above zero; template
    `repayment_reminder`)."""
    pool = customers if customers is not None else Customer.objects.all()
    due = on + dt.timedelta(days=REPAYMENT_NOTICE_DAYS)
    scheduled = lake.repayments_due(due)
    own_open = (
        Account.objects.filter(
            customer__in=pool,
            product__product_type__in=REPAYING_TYPES,
            product__issuer=OWN_BANK,
            closed_on__isnull=True,
        )
        .exclude(status=AccountStatus.CLOSED)
        .select_related("product", "product__terms", "customer")
        .order_by("account_id")
    )
    if scheduled is not None:
        code = "repayment_instalment"
        accounts = list(own_open.filter(account_id__in=list(scheduled))) if scheduled else []
        owed = scheduled
    else:
        code = "repayment_reminder"
        same_day = Q(opened_on__day=due.day)
        if due.day == calendar.monthrange(due.year, due.month)[1]:  # the 31st's accounts pay on the 30th, …
            same_day |= Q(opened_on__day__gt=due.day)
        accounts = [
            account
            for account in own_open.filter(same_day, opened_on__lt=due.replace(day=1))  # first: the month after
            if repayment_due_on(account.opened_on, due.year, due.month) == due
        ]
        by_date = lake.balances_by_date([a.account_id for a in accounts], months=1) if accounts else {}
        owed = by_date[max(by_date)] if by_date else {}
    if not accounts:
        return 0
    languages = languages_of(a.customer_id for a in accounts)
    created = 0
    with transaction.atomic():  # one commit, not one per message
        for account in accounts:
            amount = owed.get(account.account_id)
            if amount is None or amount <= 0:  # nothing owed (or unknown): nothing to remind of
                continue
            customer = account.customer
            channel = channel_for(customer)
            language = languages.get(customer.customer_no, Language.ZH)
            _, new = message_from_template(
                customer=customer,
                code=code,
                channel=channel,
                language=language,
                values=account_values(account, language, due, amount),
                idempotency_key=f"repayment:{account.account_id}:{due.isoformat()}:{channel}",
                scheduled_at=_day(on, dt.time(9)),
                not_after=_day(due, dt.time(20, 59)),
            )
            created += new
    return created


def statements_queue(on: dt.date, customers: QuerySet | None = None) -> int:
    """On the 1st of a month, send each customer with an open own account and an e-mail address last
    month's statement: by e-mail, the activity of each open own account (template
    `activity_statement`: masked numbers, balances and money in and out in yuan, from the lake); when
    e-mail cannot be used, the short notice that the statement is ready (`statement_ready`, by SMS).
    Sent from 09:00 and within the week. Other days queue nothing. Returns the number newly queued."""
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
            channels = {number: channel_for(customer, EMAIL_FIRST) for number, customer in chunk.items()}
            by_customer = _statement_activity([n for n, c in channels.items() if c == Channel.EMAIL], last)
            drafts = []
            for number, customer in chunk.items():
                channel = channels[number]
                language = languages.get(number, Language.ZH)
                values = {"name": _name(customer), "period": month_text(last.year, last.month, language)}
                code, table = "statement_ready", None
                if channel == Channel.EMAIL and by_customer.get(number):
                    code, values["summary"] = "activity_statement", summary_text(by_customer[number], language)
                    table = statement_table(by_customer[number], language)
                drafts.append(
                    message_draft(
                        customer=customer,
                        code=code,
                        channel=channel,
                        language=language,
                        values=values,
                        idempotency_key=f"statement:{number}:{last:%Y-%m}:{channel}",
                        scheduled_at=_day(on, dt.time(9)),
                        not_after=_day(on + dt.timedelta(days=6), dt.time(20, 59)),
                        table=table,
                    )
                )
            created += messages_queue_many(drafts)  # one read, one insert of messages and of audit rows
    return created


def _statement_activity(numbers: Sequence[str], day: dt.date) -> dict[str, list[AccountActivity]]:
    """The month of `day`'s activity of the open own accounts of these customers, per customer."""
    if not numbers:
        return {}
    accounts = list(
        Account.objects.filter(customer_id__in=list(numbers), closed_on__isnull=True, product__issuer=OWN_BANK)
        .exclude(status=AccountStatus.CLOSED)
        .select_related("product")
        .order_by("customer_id", "account_id")
    )
    by_customer: dict[str, list[AccountActivity]] = {}
    for row in activities(accounts, day.year, day.month):
        by_customer.setdefault(row.account.customer_id, []).append(row)
    return by_customer


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


def _done(prefix: str) -> set[str]:
    """The keys starting with `prefix` already queued, without their last part (the channel): a
    message keyed `<what>:<channel>` is queued once for `<what>` whatever channel it went on."""
    keys = Message.objects.filter(idempotency_key__startswith=prefix).values_list("idempotency_key", flat=True)
    return {key.rsplit(":", 1)[0] for key in keys}


def lottery_queue(on: dt.date) -> int:
    """The retention lottery's notices (marketing: consent, quiet hours and the cap apply at sending):
    the invitation to each customer invited whose deadline has not passed, and the draw ticket to each
    customer found back at their target AUM in the last `CAMPAIGN_SEND_DAYS`. One of each per lottery
    entry, whatever the channel. Sent from 09:00 on `on`. Returns the number newly queued."""
    since = on - dt.timedelta(days=CAMPAIGN_SEND_DAYS)
    invited = LotteryEntry.objects.filter(status=LotteryEntry.Status.INVITED, deadline__gte=on)
    eligible = LotteryEntry.objects.filter(status=LotteryEntry.Status.ELIGIBLE, checked_on__gte=since)
    done = _done("lottery:")
    created = 0
    for code, step, entries in (("lottery_invitation", "invited", invited), ("lottery_eligible", "eligible", eligible)):
        rows = entries.select_related("customer").order_by("pk")
        todo = [e for e in rows if f"lottery:{e.pk}:{step}" not in done]
        languages = languages_of(e.customer.customer_no for e in todo)
        with transaction.atomic():  # one commit per kind of notice, not per message
            for entry in todo:
                customer = entry.customer
                channel = channel_for(customer)
                last_day = entry.deadline if step == "invited" else on + dt.timedelta(days=6)
                _, new = message_from_template(
                    customer=customer,
                    code=code,
                    channel=channel,
                    language=languages.get(customer.customer_no, Language.ZH),
                    values={
                        "name": _name(customer),
                        "amount": yuan(entry.target_aum),
                        "date": entry.deadline.isoformat(),
                    },
                    idempotency_key=f"lottery:{entry.pk}:{step}:{channel}",
                    scheduled_at=_day(on, dt.time(9)),
                    not_after=_day(max(last_day, on), dt.time(20, 59)),
                )
                created += new
    return created


def lottery_winners_queue(*, draw: str, drawn_on: dt.date, winners: Iterable[LotteryEntry], by=None) -> int:
    """Tell the winners of lottery draw `draw` (a name the draw gives itself, e.g. `2027-01`) drawn on
    `drawn_on`: one prize notice per winning entry and draw, however often it is called. Marketing, so
    consent is judged at sending. Returns the number newly queued."""
    prefix = f"lottery:{draw}:"
    done = _done(prefix)
    entries = [e for e in winners if f"{prefix}{e.pk}:won" not in done]
    languages = languages_of(e.customer.customer_no for e in entries)
    created = 0
    with transaction.atomic():
        for entry in entries:
            customer = entry.customer
            channel = channel_for(customer)
            _, new = message_from_template(
                customer=customer,
                code="lottery_winner",
                channel=channel,
                language=languages.get(customer.customer_no, Language.ZH),
                values={"name": _name(customer), "amount": yuan(entry.target_aum), "date": drawn_on.isoformat()},
                idempotency_key=f"{prefix}{entry.pk}:won:{channel}",
                by=by,
            )
            created += new
    return created


def lottery_drawn_queue(*, draw: Any, name: str, winners: list[LotteryEntry], by=None, **_: Any) -> None:
    """Queue the prize notices of a draw just made (receiver of `retention.lottery.LOTTERY_DRAWN`, inside
    the draw's transaction: a draw without its notices is not stored)."""
    lottery_winners_queue(draw=name, drawn_on=draw.drawn_on, winners=winners, by=by)


class ProductMessageRefused(TemplateError):
    """A product message `suitable` refuses; `verdict` says why."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__("; ".join(verdict.labels))
        self.verdict = verdict


def offer_queue(
    *,
    customer: Customer,
    product_code: str,
    channel: str,
    on: dt.date,
    code: str = "product_offer",
    by=None,
) -> tuple[Message, bool]:
    """Queue the offer of one of our products to `customer` on `channel` (marketing), stating its rate,
    term, minimum, fees and penalty from the product table and its sales terms. Only a product
    `suitable` for the customer on that channel that day is offered (`ProductMessageRefused`
    otherwise, with the reasons); consent is judged again when sending. One offer of a product per
    customer and day. The caller has scoped `customer`."""
    product, language, values = _offer(customer, product_code, channel, on)
    return message_from_template(
        customer=customer,
        code=code,
        channel=channel,
        language=language,
        values=values,
        idempotency_key=f"offer:{product.code}:{customer.customer_no}:{on.isoformat()}:{channel}",
        scheduled_at=timezone.now(),
        not_after=_day(on + dt.timedelta(days=2), dt.time(20, 59)),
        by=by,
    )


def _offer(customer: Customer, product_code: str, channel: str, on: dt.date) -> tuple[Product, str, dict[str, str]]:
    """The product, the customer's language and the offer's values, once `suitable` passes (else
    `ProductMessageRefused` with the reasons)."""
    product = Product.objects.select_related("terms").get(code=product_code)
    verdict = suitable(customer, product, on, channel=channel)
    if not verdict.ok:
        raise ProductMessageRefused(verdict)
    language = languages_of([customer.customer_no]).get(customer.customer_no, Language.ZH)
    return product, language, {**product_values(product, language), "name": _name(customer)}


def offer_preview(
    *, customer: Customer, product_code: str, channel: str, on: dt.date, code: str = "product_offer"
) -> tuple[str, str]:
    """(subject, text) `offer_queue` would queue, for a confirmation; refused the same way."""
    _product, language, values = _offer(customer, product_code, channel, on)
    _template, _version, subject, body = rendered(code=code, channel=channel, language=language, values=values)
    return subject, body


def education_queue(
    *, code: str, customers: QuerySet, by, on: dt.date | None = None, segment: dict | None = None, ip: str | None = None
) -> int:
    """Send library article `code` to `customers` (a segment the caller has scoped): each customer once
    per approved version, on their channel (SMS, else e-mail), in their language. Fraud warnings and
    other service notices go as service (the channel's consent); education kept as marketing needs
    marketing consent — both judged at sending. Audited once for the segment (`segment`: how it was
    chosen), besides each message's own row. Returns the number newly queued."""
    template = MessageTemplate.objects.filter(code=code, kind__in=LIBRARY_KINDS).first()
    version = latest_approved(template) if template is not None else None
    if template is None or version is None:
        raise TemplateError(gettext("No approved article %(code)s in the library.") % {"code": code})
    on = on or timezone.localdate()
    prefix = f"education:{code}:v{version.number}:"
    done = _done(prefix)
    numbers = [
        n for n in customers.order_by("customer_no").values_list("customer_no", flat=True) if prefix + n not in done
    ]
    with approved_versions():
        created = _education_chunks(code, prefix, numbers, by, on)
    audit(
        action="message.library_send",
        actor=by,
        object_type="message_template",
        object_id=template.pk,
        detail={"template": code, "version": version.number, "queued": created, "segment": segment or {}},
        ip_address=ip,
    )
    return created


def _education_chunks(
    code: str, prefix: str, numbers: list[str], by, on: dt.date, at: dt.datetime | None = None
) -> int:
    """Queue article `code` to these customers for `at` (default: now), one commit per chunk;
    returns the number queued."""
    created = 0
    for start in range(0, len(numbers), CHUNK):
        with transaction.atomic():
            chunk = _customers(numbers[start : start + CHUNK])
            languages = languages_of(chunk)
            for number, customer in chunk.items():
                channel = channel_for(customer)
                _, new = message_from_template(
                    customer=customer,
                    code=code,
                    channel=channel,
                    language=languages.get(number, Language.ZH),
                    values={"name": _name(customer)},
                    idempotency_key=f"{prefix}{number}:{channel}",
                    scheduled_at=at or timezone.now(),
                    not_after=_day(on + dt.timedelta(days=6), dt.time(20, 59)),
                    by=by,
                )
                created += new
    return created


def _library_prefixes() -> dict[str, str]:
    """Library article code → the key prefix of its latest approved version (`education_queue`'s)."""
    prefixes = {}
    for code in sorted(set(MessageTemplate.objects.filter(kind__in=LIBRARY_KINDS).values_list("code", flat=True))):
        template = MessageTemplate.objects.filter(code=code, kind__in=LIBRARY_KINDS).first()
        version = latest_approved(template) if template is not None else None
        if version is not None:
            prefixes[code] = f"education:{code}:v{version.number}:"
    return prefixes


def plan_messages_queue(on: dt.date) -> int:
    """The contact plan's digital contacts (`message` every N days by tier and value level,
    docs/workbench.md; seed 002: small customers get regular useful information by cheap channels):
    each customer whose message is due by `on` gets the first library article, by code, that they
    have not had in any version. The last library message queued for the customer, by the plan or
    by staff, is their last contact of the kind. Who has had every article gets nothing: no message
    without something new to say. Returns the number newly queued."""
    prefixes = _library_prefixes()
    if not prefixes:
        return 0
    plan = plans.active_plan()
    values = CustomerValue.objects.filter(customer__in=Customer.objects.values("customer_no"))
    rows = [
        row
        for row in values.values_list("customer_id", "asset_tier", "value_level").order_by().iterator(chunk_size=CHUNK)
        if "message" in plan.intervals(row[1], row[2])
    ]
    library_sent = Message.objects.filter(idempotency_key__startswith="education:")
    last = {
        (number, "message"): timezone.localdate(at)
        for number, at in library_sent.values_list("customer_id").annotate(at=Max("scheduled_at")).order_by()
    }
    had = {tuple(key.split(":")[1:4:2]) for key in library_sent.values_list("idempotency_key", flat=True)}
    chosen: dict[str, list[str]] = {}
    for due in plans.due_contacts(rows, plan, on, last):
        if due.kind == "message" and due.due_on <= on:
            code = next((c for c in prefixes if (c, due.customer_no) not in had), None)
            if code is not None:
                chosen.setdefault(code, []).append(due.customer_no)
    at = _day(on, PLAN_MESSAGE_AT)  # the plan's day is the contact's day, whenever the plan runs
    return sum(_education_chunks(code, prefixes[code], numbers, None, on, at) for code, numbers in chosen.items())


def messages_plan(on: dt.date) -> dict[str, Any]:
    """The daily step: queue what goes out on `on` (idempotent: a rerun for the same date queues
    nothing). Returns the counts newly queued per sender."""
    with approved_versions():
        return {
            "date": on.isoformat(),
            "greetings": greetings_queue(on),
            "maturities": maturities_queue(on),
            "repayments": repayments_queue(on),
            "statements": statements_queue(on),
            "campaigns": campaigns_queue(on),
            "lottery": lottery_queue(on),
            "plan_messages": plan_messages_queue(on),
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
