"""Sending through a real SMTP server and a real HTTP gateway: what arrives, retries, refusals."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from tenure.core.models import AuditEntry
from tenure.messaging.channels import message_id_for
from tenure.messaging.dispatch import messages_send
from tenure.messaging.models import Message, Reason, Status
from tests.messaging.conftest import NOW, consent, queue

pytestmark = pytest.mark.django_db


def test_queueing_is_idempotent_on_the_key_and_masks_identifiers(bank, messaging_settings):
    wang = bank.customers["wang"]
    body = "您尾号卡 6222021234567890123 已还款，手机13812345678。"
    first = queue(wang, key="repay:C0000001:2027-01", body=body)
    again = queue(wang, key="repay:C0000001:2027-01", body="another text")
    assert again.pk == first.pk and Message.objects.count() == 1
    assert first.body == "您尾号卡 622202*********0123 已还款，手机138****5678。"
    assert AuditEntry.objects.filter(action="message.queue", customer_no="C0000001").count() == 1
    stored = " ".join(str(v) for v in Message.objects.values().get().values())
    assert "13812345678" not in stored and "6222021234567890123" not in stored


def test_email_goes_through_smtp_with_text_and_html_parts_and_unsubscribe_for_marketing(bank, servers):
    smtp, _ = servers
    wang = bank.customers["wang"]
    consent(wang, email=True, marketing=True)
    offer = queue(wang, channel="email", kind="offer", template="t-offer", subject="新春理财", body="新春专享理财。")
    statement = queue(wang, channel="email", kind="statement", template="t-statement", subject="月度对账单")
    summary = messages_send(now=NOW)
    assert summary["sent"] == 2 and summary["failed"] == 0
    by_id = {m["Message-ID"]: m for m in smtp.messages}
    marketing = by_id[message_id_for(offer.idempotency_key)]
    assert marketing["To"] == "wangfang@example.com" and marketing["Subject"] == "新春理财"
    assert marketing["List-Unsubscribe"].strip() == f"<https://bank.example/p/unsubscribe/{offer.unsubscribe_token}/>"
    assert marketing.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in marketing.iter_parts()}
    assert "新春专享理财" in parts["text/plain"] and "新春专享理财" in parts["text/html"]
    assert "Unsubscribe" in parts["text/plain"]
    assert by_id[message_id_for(statement.idempotency_key)]["List-Unsubscribe"] is None
    offer.refresh_from_db()
    assert (offer.status, offer.attempts, offer.sent_at) == (Status.SENT, 1, NOW)
    assert offer.provider_message_id == message_id_for(offer.idempotency_key)


def test_sms_and_push_go_to_the_gateway_with_the_key_and_the_number_read_at_sending(bank, servers):
    _, gateway = servers
    wang = bank.customers["wang"]
    consent(wang, push=True)
    sms = queue(wang, channel="sms")
    push = queue(wang, channel="push", template="t-reminder-push", subject="还款提醒")
    assert messages_send(now=NOW)["sent"] == 2
    sent = {r["_path"]: r for r in gateway.requests}
    assert sent["/sms"]["to"] == "13812345678" and sent["/sms"]["id"] == sms.idempotency_key
    assert sent["/sms"]["purpose"] == "service" and sent["/sms"]["text"] == sms.body
    assert sent["/sms"]["callback_url"] == "https://bank.example/hooks/messages/receipts/"
    assert sent["/push"]["to"] == "C0000001" and sent["/push"]["subject"] == "还款提醒"
    assert {h["Idempotency-Key"] for h in gateway.headers} == {sms.idempotency_key, push.idempotency_key}
    sms.refresh_from_db()
    assert sms.provider_message_id == f"gw-{sms.idempotency_key}"


def test_timeouts_5xx_and_429_are_retried_with_growing_back_off(bank, servers):
    _, gateway = servers
    customers = [bank.customers[k] for k in ("wang", "li", "wanglei")]
    gateway.script = {"13812345678": ["500", "500"], "13711112222": ["429"], "13987654321": ["stall"]}
    messages = [queue(c) for c in customers]
    first = messages_send(now=NOW)
    assert (first["sent"], first["deferred"], first["failed"]) == (0, 3, 0)
    for message in messages:
        message.refresh_from_db()
        assert (message.status, message.reason, message.attempts) == (Status.DEFERRED, Reason.RETRY, 1)
        assert message.next_attempt_at == NOW + dt.timedelta(seconds=60)
    assert messages[2].last_error.startswith(("TimeoutError", "URLError"))
    assert messages_send(now=NOW + dt.timedelta(seconds=59))["sent"] == 0  # not due yet
    second = messages_send(now=NOW + dt.timedelta(seconds=60))
    assert (second["sent"], second["deferred"]) == (2, 1)
    messages[0].refresh_from_db()
    assert messages[0].next_attempt_at == NOW + dt.timedelta(seconds=60 + 120)  # doubled
    assert messages_send(now=NOW + dt.timedelta(seconds=180))["sent"] == 1
    assert sorted(gateway.accepted().values()) == [1, 1, 1]


def test_a_4xx_is_permanent_and_a_message_is_given_up_after_the_attempts_allowed(bank, servers, settings):
    _, gateway = servers
    settings.MESSAGING_MAX_ATTEMPTS = 2
    gateway.script = {"13812345678": ["400"], "13711112222": ["503", "503"]}
    refused, failing = queue(bank.customers["wang"]), queue(bank.customers["li"])
    assert messages_send(now=NOW)["failed"] == 1
    assert messages_send(now=NOW + dt.timedelta(hours=1))["failed"] == 1
    refused.refresh_from_db(), failing.refresh_from_db()
    assert (refused.status, refused.reason, refused.attempts, refused.last_error) == (
        Status.FAILED,
        Reason.PERMANENT,
        1,
        "HTTP 400",
    )
    assert (failing.status, failing.reason, failing.attempts) == (Status.FAILED, Reason.GAVE_UP, 2)
    assert messages_send(now=NOW + dt.timedelta(days=1))["sent"] == 0
    assert len(gateway.requests) == 3


def test_an_address_the_smtp_server_refuses_bounces(bank, servers):
    smtp, _ = servers
    smtp.refuse["lina@example.cn"] = 550
    li = bank.customers["li"]
    consent(li, email=True)
    message = queue(li, channel="email")
    assert messages_send(now=NOW)["failed"] == 1
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.BOUNCED, "SMTP 550 recipient refused")
    assert smtp.messages == []


def test_each_suppression_reason(bank, servers):
    _, gateway = servers
    wang, li, wanglei = bank.customers["wang"], bank.customers["li"], bank.customers["wanglei"]
    consent(wang, email=True, marketing=True)
    consent(wanglei, email=True, marketing=True)
    no_consent = queue(li, channel="email")  # Li Na never agreed to e-mail
    no_marketing = queue(li, channel="sms", kind="offer")  # nor to marketing
    no_address = queue(wanglei, channel="email")  # Wang Lei has no e-mail address
    expired = queue(wang, not_after=NOW - dt.timedelta(minutes=1))
    offers = [queue(wang, channel="email", kind="offer", template=f"t-offer-{n}") for n in range(3)]
    twice = [queue(wang, channel="sms", template="t-same") for _ in range(2)]
    summary = messages_send(now=NOW)
    assert summary["suppressed"] == {
        "no_consent": 2,
        "opted_out": 0,
        "quiet_hours": 0,
        "frequency_cap": 1,
        "duplicate": 1,
        "expired": 1,
        "no_address": 1,
        "bouncing": 0,
    }
    assert summary["sent"] == 3  # two offers within the cap, the first of the same template
    statuses = dict(Message.objects.values_list("pk", "reason"))
    assert statuses[no_consent.pk] == statuses[no_marketing.pk] == Reason.NO_CONSENT
    assert statuses[no_address.pk] == Reason.NO_ADDRESS and statuses[expired.pk] == Reason.EXPIRED
    assert [statuses[o.pk] for o in offers] == ["", "", Reason.FREQUENCY_CAP]
    assert [statuses[t.pk] for t in twice] == ["", Reason.DUPLICATE]
    # The cap counts across channels and a week: an SMS offer six days later is still over it.
    consent(wang, sms=True)
    later = queue(wang, channel="sms", kind="greeting", template="t-greet", at=NOW + dt.timedelta(days=6))
    assert messages_send(now=NOW + dt.timedelta(days=6))["suppressed"]["frequency_cap"] == 1
    after_week = queue(wang, channel="sms", kind="greeting", template="t-greet2", at=NOW + dt.timedelta(days=8))
    assert messages_send(now=NOW + dt.timedelta(days=8))["sent"] == 1
    assert Message.objects.get(pk=later.pk).reason == Reason.FREQUENCY_CAP
    assert Message.objects.get(pk=after_week.pk).status == Status.SENT


def test_quiet_hours_defer_to_eight_across_midnight(bank, servers):
    _, gateway = servers
    wang = bank.customers["wang"]
    evening = NOW.replace(hour=23, minute=30)
    night = queue(wang, at=evening, template="t-night")
    early = queue(bank.customers["li"], at=evening + dt.timedelta(hours=3), template="t-early")  # 02:30
    assert messages_send(now=evening)["deferred"] == 1
    night.refresh_from_db()
    morning = (NOW + dt.timedelta(days=1)).replace(hour=8, minute=0)
    assert (night.status, night.reason, night.next_attempt_at) == (Status.DEFERRED, Reason.QUIET_HOURS, morning)
    assert messages_send(now=evening + dt.timedelta(hours=3))["deferred"] == 1  # 02:30: to 08:00 that day
    early.refresh_from_db()
    assert early.next_attempt_at == morning
    assert messages_send(now=morning - dt.timedelta(minutes=1))["sent"] == 0
    assert messages_send(now=morning)["sent"] == 2 and len(gateway.requests) == 2


def test_a_message_that_would_wait_past_its_deadline_is_suppressed_for_quiet_hours(bank, servers):
    evening = NOW.replace(hour=22)
    message = queue(bank.customers["wang"], at=evening, not_after=evening + dt.timedelta(hours=2))
    assert messages_send(now=evening)["suppressed"]["quiet_hours"] == 1
    message.refresh_from_db()
    assert (message.status, message.reason) == (Status.SUPPRESSED, Reason.QUIET_HOURS)


def test_the_command_prints_one_json_line(bank, servers):
    queue(bank.customers["wang"])
    queue(bank.customers["li"], channel="email")
    out = StringIO()
    call_command("messages", "send", "--now", "2027-01-05T10:00:00+08:00", "--json", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["sent"] == 1 and summary["deferred"] == 0 and summary["failed"] == 0
    assert summary["suppressed"]["no_consent"] == 1
    assert set(summary["suppressed"]) >= {"no_consent", "opted_out", "quiet_hours", "frequency_cap", "duplicate"}
    out = StringIO()
    call_command("messages", "send", "--now", "2027-01-05T10:05", stdout=out)  # bank time zone
    assert out.getvalue().startswith("sent 0, deferred 0, failed 0; suppressed: none")


def test_the_daily_run_sends_the_outbox_on_the_latest_date():
    from tenure.ops.daily import _steps

    names = [name for name, _ in _steps(dt.date(2027, 1, 5), latest=True)]
    assert names[-1] == "messages"
    assert "messages" not in [name for name, _ in _steps(dt.date(2027, 1, 4), latest=False)]


def test_a_gateway_url_it_cannot_use_stops_the_command_before_claiming_anything(bank, messaging_settings):
    from django.core.management.base import CommandError

    messaging_settings.MESSAGING_SMS_URL = "ftp://gateway.bank.cn/sms"
    message = queue(bank.customers["wang"])
    with pytest.raises(CommandError, match="TENURE_SMS_URL: use http://, https:// or file://"):
        call_command("messages", "send", "--json")
    message.refresh_from_db()
    assert message.status == Status.QUEUED


def test_the_demo_gateway_writes_one_file_per_message_with_the_mobile_masked(bank, messaging_settings, tmp_path):
    messaging_settings.MESSAGING_SMS_URL = f"file://{tmp_path / 'outbox' / 'sms'}"
    message = queue(bank.customers["wang"])
    assert messages_send(now=NOW)["sent"] == 1
    (written,) = (tmp_path / "outbox" / "sms").iterdir()
    payload = json.loads(written.read_text())
    assert (payload["id"], payload["to"], payload["text"]) == (message.idempotency_key, "138****5678", message.body)
    assert not (tmp_path / "outbox" / "email").exists()  # nothing to e-mail: no connection, no folder


def test_quiet_hours_it_cannot_read_stop_the_command_in_one_line(bank, messaging_settings):
    from django.core.management.base import CommandError

    messaging_settings.MESSAGING_QUIET_HOURS = "9pm-8am"
    with pytest.raises(CommandError, match="TENURE_MESSAGING_QUIET_HOURS: quiet hours '9pm-8am'"):
        call_command("messages", "send")
