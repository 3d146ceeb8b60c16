"""The retention lottery's notices (invitation, draw ticket, prize) and the customer-education library:
through the outbox, once each, with consent judged when sending."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tenure.core.models import AuditEntry
from tenure.engagement import plans
from tenure.messaging.dispatch import messages_send
from tenure.messaging.models import Message, MessageTemplate, Reason, Status
from tenure.messaging.selectors import library
from tenure.messaging.senders import education_queue, lottery_winners_queue, messages_plan, plan_messages_queue
from tenure.messaging.texts import template_create, template_decide
from tenure.retention.models import LotteryEntry
from tests.analytics.helpers import customer_value
from tests.messaging.conftest import NOW, consent

pytestmark = pytest.mark.django_db
DAY = NOW.date()


def entry(customer, status="invited", **extra) -> LotteryEntry:
    fields = {"invited_on": dt.date(2026, 12, 31), "target_aum": Decimal("300000"), "deadline": dt.date(2027, 1, 31)}
    return LotteryEntry.objects.create(customer=customer, status=status, **{**fields, **extra})


def test_lottery_invitations_tickets_and_prizes_go_once_and_need_marketing_consent(bank, servers):
    smtp, gateway = servers
    wang, li, zhao = (bank.customers[k] for k in ("wang", "li", "zhao"))
    consent(wang, marketing=True)
    invited = entry(wang)
    entry(li)  # no marketing consent: queued, then suppressed at sending
    entry(zhao, deadline=dt.date(2027, 1, 4))  # past its deadline: not invited any more
    won = entry(wang, status="eligible", invited_on=dt.date(2026, 11, 30), checked_on=dt.date(2027, 1, 4))
    assert messages_plan(DAY)["lottery"] == 3
    assert messages_plan(DAY)["lottery"] == 0  # a rerun queues nothing twice
    invitation = Message.objects.get(idempotency_key=f"lottery:{invited.pk}:invited:sms")
    assert invitation.purpose == "marketing" and invitation.kind == "lottery"
    assert "2027-01-31前" in invitation.body and "¥300,000.00" in invitation.body
    assert invitation.body.endswith("回复TD退订")
    assert Message.objects.filter(template="lottery_eligible", customer=wang).count() == 1

    summary = messages_send(now=NOW)
    assert summary["sent"] == 2 and summary["suppressed"]["no_consent"] == 1  # Li Na: no marketing consent
    assert {r["template"] for r in gateway.requests} == {"lottery_invitation", "lottery_eligible"}
    li_message = Message.objects.get(customer=li)
    assert (li_message.status, li_message.reason) == (Status.SUPPRESSED, Reason.NO_CONSENT)

    assert lottery_winners_queue(draw="2027-01", drawn_on=DAY, winners=[won]) == 1
    assert lottery_winners_queue(draw="2027-01", drawn_on=DAY, winners=[won]) == 0  # idempotent per draw
    assert lottery_winners_queue(draw="2027-02", drawn_on=DAY, winners=[won]) == 1  # another draw, another prize
    prize = Message.objects.get(idempotency_key=f"lottery:2027-01:{won.pk}:won:sms")
    assert "2027-01-05开奖" in prize.body
    # Wang Fang already had two marketing messages this week: the prize notices meet the cap.
    assert messages_send(now=NOW + dt.timedelta(hours=1))["suppressed"]["frequency_cap"] == 2


def test_a_fraud_warning_goes_to_a_segment_as_a_service_message_once_per_version(bank, servers):
    smtp, gateway = servers
    service = bank.staff["service"]
    wanglei = bank.customers["wanglei"]
    type(wanglei).objects.filter(pk=wanglei.pk).update(birth_date=dt.date(1950, 5, 1))
    segment = type(wanglei).objects.filter(branch_id__in=["S0101", "S0102"])  # no marketing consent anywhere
    assert education_queue(code="fraud_warning", customers=segment, by=service, on=DAY) == 3
    assert education_queue(code="fraud_warning", customers=segment, by=service, on=DAY) == 0
    warning = Message.objects.filter(template="fraud_warning").first()
    assert warning is not None and warning.purpose == "service" and "验证码" in warning.body
    summary = messages_send(now=NOW)
    assert summary["sent"] == 3 and len(gateway.requests) == 3  # service: the SMS consent suffices
    audits = AuditEntry.objects.filter(action="message.library_send").order_by("id")
    assert [(a.detail["template"], a.detail["queued"]) for a in audits] == [("fraud_warning", 3), ("fraud_warning", 0)]

    # Education kept as marketing (a new library article) needs marketing consent at sending.
    article = template_create(
        code="saving_tips",
        name="储蓄小知识",
        kind="education",
        channel="sms",
        language="zh",
        subject="",
        body="{name}，定期存款到期前请留意续存安排。回复TD退订",
        by=service,
    )
    assert "saving_tips" not in {a.code for a in library()}  # a draft is not in the library
    template_decide(version=article.versions.get(), approve=True, comment="", by=bank.staff["compliance"])
    assert {a.code: a.purpose for a in library()}["saving_tips"] == "marketing"
    assert education_queue(code="saving_tips", customers=segment, by=service, on=DAY) == 3
    assert messages_send(now=NOW)["suppressed"]["no_consent"] == 3


def test_the_library_page_sends_to_a_segment_in_the_senders_scope(bank, login, messaging_settings):
    client = login(bank.staff["service"])
    page = client.get("/messages/library/")
    assert page.status_code == 200 and "fraud_warning" in page.content.decode()
    assert MessageTemplate.objects.filter(code="deposit_insurance").exists()
    zhao = bank.customers["zhao"]
    type(zhao).objects.filter(pk=zhao.pk).update(birth_date=dt.date(1955, 1, 1))
    answer = client.post("/messages/library/", {"article": "fraud_warning", "branch": "B02", "min_age": "65"})
    assert answer.status_code == 302
    assert list(Message.objects.values_list("customer_id", flat=True)) == [zhao.customer_no]
    bad = client.post("/messages/library/", {"article": "greeting", "branch": "B02"})  # not a library article
    assert bad.status_code == 200 and Message.objects.count() == 1
    assert login(bank.staff["rm_a"]).get("/messages/library/").status_code == 403


def test_the_contact_plans_messages_send_each_due_customer_the_next_article_they_have_not_had(bank):
    wang, li, zhao = (bank.customers[k] for k in ("wang", "li", "zhao"))
    customer_value(wang.customer_no, wang.branch_id, asset_tier="standard", value_level="small")  # a message / 90 days
    customer_value(li.customer_no, li.branch_id, asset_tier="standard", value_level="small")
    customer_value(zhao.customer_no, zhao.branch_id, asset_tier="diamond", value_level="key")  # RM contacts only
    articles = [a.code for a in library()]
    assert len(articles) >= 2
    # Never messaged: due on their own day of the 90-day cycle, on or after the day asked.
    wang_due, li_due = (plans.first_due(c.customer_no, 90, DAY) for c in (wang, li))
    assert plan_messages_queue(wang_due) == 1 + (li_due == wang_due)
    first = Message.objects.get(customer=wang)
    assert (
        first.template == articles[0]
        and first.purpose == "service"
        and first.idempotency_key.startswith(f"education:{articles[0]}:v")
    )
    assert plan_messages_queue(wang_due) == 0  # the same day again: nothing twice
    assert not Message.objects.filter(customer=zhao).exists()
    # 90 days after the last article: the next one they have not had.
    plan_messages_queue(wang_due + dt.timedelta(days=90))
    assert list(Message.objects.filter(customer=wang).order_by("id").values_list("template", flat=True)) == articles[:2]
