"""Product messages state rate, term, fees and penalty from the product table (never typed), and an
offer goes only to a customer the product is suitable for, on a channel they agreed to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tenure.messaging.dispatch import messages_send
from tenure.messaging.models import Message, MessageTemplate, Reason, Status
from tenure.messaging.senders import ProductMessageRefused, maturities_queue, offer_queue
from tenure.messaging.services import consent_change
from tenure.messaging.texts import TemplateError, template_draft, unknown_placeholders
from tests.messaging.conftest import NOW, consent
from tests.offers.helpers import assessed, product, terms

pytestmark = pytest.mark.django_db
DAY = NOW.date()


def test_a_draft_that_types_a_rate_is_refused_and_the_product_placeholders_are_checked_per_kind(bank):
    offer = MessageTemplate.objects.get(code="product_offer", channel="sms", language="zh")
    maker = bank.staff["service"]
    with pytest.raises(TemplateError, match="3.5%"):
        template_draft(template=offer, subject="", body="{name}，{product}年利率3.5%，回复TD退订", by=maker)
    with pytest.raises(TemplateError, match="2 ％"):
        template_draft(template=offer, subject="", body="{name}，手续费2 ％", by=maker)
    body = "{name}：{product} {rate} {term} {fees} {penalty} {minimum}"
    draft = template_draft(template=offer, subject="", body=body, by=maker)
    assert draft.number == 2
    assert unknown_placeholders("greeting", "{rate}") == ["rate"]  # a greeting states no rate
    assert unknown_placeholders("statement", "{summary}") == []


def test_an_offer_quotes_the_product_table_and_goes_only_where_suitable(bank, servers):
    _, gateway = servers
    wang = bank.customers["wang"]
    consent(wang, marketing=True)
    assessed(wang, "C3", on=dt.date(2026, 6, 1))
    deposit = product("TD-1Y", kind="time_deposit", risk="R1", rate="1.6500", term_months=12)
    terms(deposit, fees="免手续费", penalty="提前支取按活期利率计息", min_amount=Decimal("0"))

    message, created = offer_queue(customer=wang, product_code="TD-1Y", channel="sms", on=DAY)
    assert created and message.purpose == "marketing" and message.template == "product_offer"
    assert "年利率1.65%" in message.body and "期限12个月" in message.body and "免手续费" in message.body
    assert "提前支取按活期利率计息" in message.body and "¥0.00" in message.body and message.body.endswith("回复TD退订")
    again, created = offer_queue(customer=wang, product_code="TD-1Y", channel="sms", on=DAY)
    assert again.pk == message.pk and not created  # one offer of a product per customer and day

    product("W-R4", risk="R4", rate="4.5000", term_months=12)
    with pytest.raises(ProductMessageRefused) as refused:
        offer_queue(customer=wang, product_code="W-R4", channel="sms", on=DAY)
    assert "risk_above_assessment" in refused.value.verdict.reasons
    with pytest.raises(ProductMessageRefused) as refused:  # no e-mail consent: not even queued
        offer_queue(customer=wang, product_code="TD-1Y", channel="email", on=DAY)
    assert refused.value.verdict.reasons == ("marketing_refused",)
    assert Message.objects.count() == 1

    consent_change(customer=wang, field="consent_marketing", value=False, source="staff", by=bank.staff["service"])
    summary = messages_send(now=NOW)  # withdrawn between queueing and sending: suppressed, never sent
    assert summary["suppressed"]["opted_out"] == 1 and gateway.requests == []
    message.refresh_from_db()
    assert (message.status, message.reason) == (Status.SUPPRESSED, Reason.OPTED_OUT)


def test_the_maturity_notice_states_the_accounts_rate_and_term(bank, messaging_settings):
    account = bank.accounts["A-wang-wm"]
    wealth = account.product
    wealth.product_type, wealth.rate, wealth.term_months = "time_deposit", Decimal("2.1000"), 36
    wealth.save()
    terms(wealth, penalty="提前支取按活期利率计息")
    type(account).objects.filter(pk=account.pk).update(maturity_date=DAY + dt.timedelta(days=7), rate=Decimal("2.6"))
    assert maturities_queue(DAY) == 1
    notice = Message.objects.get(template="maturity_reminder")
    assert notice.template_version == 2  # the approved wording that quotes the product table
    assert "年利率2.60%" in notice.body and "期限36个月" in notice.body  # the account's agreed rate
    assert "提前支取：提前支取按活期利率计息" in notice.body and "998877665" not in notice.body
