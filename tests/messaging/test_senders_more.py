"""The later senders: repayment reminders, statement notices and retention campaign messages, each in
the customer's language, idempotent, with consent judged when sending; the control group gets nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pyarrow as pa
import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tenure.ingest.dimensions import ROWS_UPSERTED
from tenure.messaging.dispatch import messages_send
from tenure.messaging.models import CustomerLanguage, Message, Reason, Status
from tenure.messaging.senders import messages_plan, repayment_due_on
from tenure.messaging.services import consent_change
from tenure.retention.models import Campaign, CampaignMember
from tests.factories import lake  # noqa: F401
from tests.messaging.conftest import consent

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def import_languages(rows: dict[str, str | None], day: dt.date = dt.date(2027, 1, 4)) -> None:
    """What a customers import hands to its receivers: the rows written, with the `language` column."""
    table = pa.table({"customer_no": list(rows), "language": pa.array(list(rows.values()), pa.string())})
    ROWS_UPSERTED.send(sender="customers", rows=table, business_date=day)


def file_gateways(settings) -> None:
    settings.MESSAGING_SMS_URL = f"file://{settings.TENURE_HOME}/outbox/sms"
    settings.MESSAGING_PUSH_URL = f"file://{settings.TENURE_HOME}/outbox/push"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31)),
    st.integers(2000, 2040),
    st.integers(1, 12),
)
def test_the_repayment_day_is_the_opening_day_or_the_months_last(opened, year, month):
    due = repayment_due_on(opened, year, month)
    assert (due.year, due.month) == (year, month)
    assert due.day == opened.day or (due.day < opened.day and (due + dt.timedelta(days=1)).day == 1)


def test_a_loan_gets_a_reminder_three_days_before_its_repayment_day_once(lake, messaging_settings):  # noqa: F811
    # A-wang-loan was opened on 2016-01-01: it repays on the 1st; its balance in the lake is owed.
    assert messages_plan(dt.date(2027, 1, 28))["repayments"] == 0
    assert messages_plan(dt.date(2027, 1, 29))["repayments"] == 1
    assert messages_plan(dt.date(2027, 1, 29))["repayments"] == 0  # a rerun queues nothing twice
    reminder = Message.objects.get(kind="reminder")
    assert reminder.template == "repayment_reminder" and reminder.purpose == "service"
    assert reminder.idempotency_key == "repayment:A-wang-loan:2027-02-01:sms"
    assert "个人住房贷款" in reminder.body and "2027-02-01" in reminder.body and "¥8" in reminder.body
    assert "6222020200554433221" not in reminder.body and "3221" in reminder.body
    assert reminder.not_after is not None and timezone.localtime(reminder.not_after).date() == dt.date(2027, 2, 1)


def test_statements_go_on_the_first_in_the_customers_language(lake, messaging_settings):  # noqa: F811
    wang, li, zhao = (lake.customers[k] for k in ("wang", "li", "zhao"))
    import_languages({wang.customer_no: "en", li.customer_no: "zh", zhao.customer_no: None})
    assert dict(CustomerLanguage.objects.values_list("customer_id", "language")) == {wang.customer_no: "en"}
    consent(li, email=True)
    assert messages_plan(dt.date(2027, 1, 31))["statements"] == 0
    assert messages_plan(dt.date(2027, 2, 1))["statements"] == 3  # 王磊 has no e-mail address
    assert messages_plan(dt.date(2027, 2, 1))["statements"] == 0
    notices = {m.customer_id: m for m in Message.objects.filter(kind="statement")}
    assert notices[wang.customer_no].body.startswith("Dear 王芳") and "January 2027" in notices[wang.customer_no].body
    assert "2027年1月" in notices[li.customer_no].body and notices[li.customer_no].channel == "email"
    assert notices[wang.customer_no].channel == "sms"  # no e-mail consent: the statement notice goes by SMS
    import_languages({wang.customer_no: "zh"})  # the next extract says Chinese again
    assert not CustomerLanguage.objects.exists()


def test_a_customers_import_of_a_whole_bank_keeps_languages_without_a_giant_in_list(lake, messaging_settings):  # noqa: F811
    """Every customer of a big bank is in one import's rows: 300,000 numbers (more variables than the
    250,000 SQLite takes in one statement; PostgreSQL takes 65,535) must not reach one query."""
    wang, li = lake.customers["wang"], lake.customers["li"]
    import_languages({wang.customer_no: "en", li.customer_no: "en"})
    rows = {f"C{n:08d}": None for n in range(300_000)} | {wang.customer_no: "zh", li.customer_no: "en"}
    import_languages(rows)
    assert dict(CustomerLanguage.objects.values_list("customer_id", "language")) == {li.customer_no: "en"}


def test_a_campaign_messages_its_treated_members_never_the_control_group(bank, messaging_settings):
    wang, li, zhao = (bank.customers[k] for k in ("wang", "li", "zhao"))
    for customer in (wang, li, zhao):
        consent(customer, marketing=True)
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="春季挽留",
        branch=bank.branches["HO"],
        control_share=0.3,
        seed=1,
        business_date=today,
        created_by=bank.staff["head_a"],
    )
    groups = {wang: "treated", li: "treated", zhao: "control"}
    for customer, group in groups.items():
        CampaignMember.objects.create(campaign=campaign, customer=customer, group=group, probability=0.6)
    import_languages({li.customer_no: "en"})
    assert messages_plan(today)["campaigns"] == 2
    assert messages_plan(today)["campaigns"] == 0
    sent = {m.customer_id: m for m in Message.objects.filter(kind="campaign")}
    assert set(sent) == {wang.customer_no, li.customer_no}  # the control group gets nothing
    assert sent[wang.customer_no].purpose == "marketing" and sent[wang.customer_no].body.endswith("回复TD退订")
    assert sent[li.customer_no].body.startswith("Dear 李娜") and sent[li.customer_no].body.endswith("opt out")
    consent_change(customer=li, field="consent_sms", value=False, source="sms_reply")  # opts out before sending
    file_gateways(messaging_settings)
    summary = messages_send(now=dt.datetime.combine(today, dt.time(10), tzinfo=SHANGHAI))
    assert summary["sent"] == 1 and summary["suppressed"]["opted_out"] == 1
    assert Message.objects.get(pk=sent[li.customer_no].pk).reason == Reason.OPTED_OUT
    assert Message.objects.get(pk=sent[wang.customer_no].pk).status == Status.SENT
    campaign.measured_at = timezone.now()
    campaign.save()
    assert messages_plan(today)["campaigns"] == 0  # a measured campaign sends no more
