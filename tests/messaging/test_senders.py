"""The senders: greetings and maturity notices planned per business date (idempotent), a complaint
reply on resolution, survey invitations with their link when a wave is issued; consent is judged when
the message is sent."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tenure.complaints.lifecycle import complaint_transition
from tenure.complaints.models import RootCause, Status
from tenure.messaging.dispatch import messages_send
from tenure.messaging.models import Message, Reason
from tenure.messaging.senders import messages_plan
from tenure.messaging.services import consent_change
from tests.factories import lake  # noqa: F401
from tests.messaging.conftest import NOW, consent
from tests.surveys.conftest import issue, templates  # noqa: F401

pytestmark = pytest.mark.django_db
DAY = NOW.date()  # 2027-01-05


def test_greetings_of_the_day_are_queued_once_and_consent_decides_at_sending(bank, messaging_settings):
    wang, li = bank.customers["wang"], bank.customers["li"]
    for customer in (wang, li):
        type(customer).objects.filter(pk=customer.pk).update(birth_date=dt.date(1990, 1, 5))
        consent(customer, marketing=True)
    assert messages_plan(DAY) == {
        "date": "2027-01-05",
        "greetings": 2,
        "maturities": 0,
        "repayments": 0,
        "statements": 0,
        "campaigns": 0,
        "lottery": 0,
        "plan_messages": 0,
    }
    assert messages_plan(DAY)["greetings"] == 0  # a rerun of the same date queues nothing
    greeting = Message.objects.get(customer=wang)
    assert greeting.kind == "greeting" and greeting.purpose == "marketing" and greeting.channel == "sms"
    assert greeting.template == "greeting" and greeting.template_version == 1
    assert "王芳" in greeting.body and "生日" in greeting.body and greeting.body.endswith("回复TD退订")
    consent_change(customer=li, field="consent_sms", value=False, source="staff", at=NOW)
    messaging_settings.MESSAGING_SMS_URL = f"file://{messaging_settings.TENURE_HOME}/outbox/sms"
    summary = messages_send(now=NOW)
    assert summary["sent"] == 1 and summary["suppressed"]["opted_out"] == 1
    assert Message.objects.get(customer=li).reason == Reason.OPTED_OUT


def test_own_product_maturities_are_noticed_seven_days_ahead_with_the_account_masked(lake, messaging_settings):  # noqa: F811
    account = lake.accounts["A-wang-wm"]
    type(account).objects.filter(pk=account.pk).update(maturity_date=DAY + dt.timedelta(days=7))
    assert messages_plan(DAY - dt.timedelta(days=1))["maturities"] == 0
    assert messages_plan(DAY)["maturities"] == 1
    assert messages_plan(DAY)["maturities"] == 0
    notice = Message.objects.get()
    assert notice.kind == "reminder" and notice.purpose == "service" and notice.template == "maturity_reminder"
    assert "稳健理财" in notice.body and "2027-01-12" in notice.body and "¥" in notice.body
    assert "6222020200998877665" not in notice.body and "7665" in notice.body
    assert notice.not_after is not None and notice.not_after.date() == dt.date(2027, 1, 12)


def test_a_resolved_complaint_queues_one_reply_with_its_reference_whole(bank, messaging_settings):
    from tenure.complaints.services import complaint_create

    by = bank.staff["rm_a"]
    complaint = complaint_create(by=by, customer=bank.customers["wang"], channel="counter", description="排队太久")
    complaint = complaint_transition(complaint, Status.ACKNOWLEDGED, by)
    complaint = complaint_transition(complaint, Status.INVESTIGATING, by)
    assert not Message.objects.exists()
    complaint.root_cause = RootCause.objects.get(code="manners")
    complaint.save()
    complaint = complaint_transition(complaint, Status.RESOLVED, by)
    reply = Message.objects.get()
    assert reply.kind == "complaint_reply" and reply.purpose == "service"
    assert complaint.reference in reply.body  # the customer quotes it: not masked
    complaint = complaint_transition(complaint, Status.INVESTIGATING, by)  # reopened
    complaint_transition(complaint, Status.RESOLVED, by)
    assert Message.objects.count() == 2  # a second resolution, a second notice
    public = complaint_create(by=None, customer=None, channel="web", description="无名投诉")
    for status in (Status.ACKNOWLEDGED, Status.INVESTIGATING):
        public = complaint_transition(public, status, by)
    public.root_cause = RootCause.objects.get(code="manners")
    public.save()
    complaint_transition(public, Status.RESOLVED, by)  # no customer: resolved, no message
    assert Message.objects.count() == 2


@pytest.mark.usefixtures("templates", "messaging_settings")
def test_an_issued_survey_wave_queues_invitations_whose_link_opens_the_survey(bank, client):
    issued = issue("nps-loyalty", bank.staff["service"], branches=["S0101"])
    invitations = Message.objects.filter(kind="survey").order_by("customer_id")
    assert invitations.count() == len(issued.links) == 2
    by_customer = {i.customer.customer_no: token for i, token in issued.links}
    for message in invitations:
        assert f"/p/s/{by_customer[message.customer_id]}/" in message.body
        assert message.template == "survey_invitation" and message.not_after == issued.wave.expires_at
    link = re.search(r"https://bank\.example(/p/s/[\w-]+/)", invitations[0].body)
    assert link and client.get(link.group(1)).status_code == 200  # the public answer page


def test_the_plan_command_prints_what_it_queued(bank):
    from io import StringIO

    from django.core.management import call_command

    wang = bank.customers["wang"]
    type(wang).objects.filter(pk=wang.pk).update(birth_date=dt.date(1990, 1, 5))
    consent(wang, marketing=True)
    out = StringIO()
    call_command("messages", "plan", "--date", "2027-01-05", "--json", stdout=out)
    assert '"greetings": 1' in out.getvalue() and '"maturities": 0' in out.getvalue()
    call_command("messages", "plan", "--date", "2027-01-05", stdout=out)
    assert "2027-01-05: 0 greetings, 0 maturity notices, 0 repayment reminders" in out.getvalue()
