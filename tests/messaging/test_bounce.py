"""A hard bounce marks the address: later messages to it are suppressed (`bouncing`) until it changes."""

from __future__ import annotations

import json

import pytest

from tenure.customers.models import Customer
from tenure.messaging.dispatch import messages_send
from tenure.messaging.inbound import sign
from tenure.messaging.models import Bounce, Message, Reason, Status
from tests.messaging.conftest import NOW, SECRET, consent, queue

pytestmark = pytest.mark.django_db


def test_an_smtp_permanent_failure_suppresses_later_mail_until_the_address_changes(bank, servers):
    smtp, _ = servers
    smtp.refuse["lina@example.cn"] = 550
    li = bank.customers["li"]
    consent(li, email=True)
    first = queue(li, channel="email", template="t-1")
    assert messages_send(now=NOW)["failed"] == 1
    bounce = Bounce.objects.get()
    assert (bounce.customer_id, bounce.channel, bounce.message_id) == (li.customer_no, "email", first.pk)
    assert "lina" not in json.dumps(list(Bounce.objects.values()), default=str)  # only a blind index is kept
    later = queue(li, channel="email", template="t-2")
    sms = queue(li, channel="sms", template="t-3")  # another channel is not touched
    summary = messages_send(now=NOW)
    assert summary["suppressed"]["bouncing"] == 1 and summary["sent"] == 1
    later.refresh_from_db()
    assert (later.status, later.reason) == (Status.SUPPRESSED, Reason.BOUNCING)
    assert Message.objects.get(pk=sms.pk).status == Status.SENT
    assert len(smtp.messages) == 0
    Customer.objects.filter(pk=li.pk).update(email="li.na@example.com")  # a new address is tried
    after = queue(li, channel="email", template="t-4")
    assert messages_send(now=NOW)["sent"] == 1
    assert Message.objects.get(pk=after.pk).status == Status.SENT
    assert [m["To"] for m in smtp.messages] == ["li.na@example.com"]


def test_a_bounce_receipt_marks_the_mobile(bank, servers, client):
    wang = bank.customers["wang"]
    sms = queue(wang, template="t-1")
    messages_send(now=NOW)
    body = json.dumps({"receipts": [{"id": sms.idempotency_key, "status": "bounced", "error": "空号"}]}).encode()
    response = client.post(
        "/hooks/messages/receipts/", body, content_type="application/json", HTTP_X_TENURE_SIGNATURE=sign(body, SECRET)
    )
    assert response.json() == {"updated": 1}
    assert Bounce.objects.filter(customer=wang, channel="sms").count() == 1
    again = queue(wang, template="t-2")
    assert messages_send(now=NOW)["suppressed"]["bouncing"] == 1
    again.refresh_from_db()
    assert again.reason == Reason.BOUNCING
