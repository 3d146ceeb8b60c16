"""The public routes: signed delivery receipts, SMS replies (退订 / TD), the unsubscribe page."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tenure.customers.models import Customer
from tenure.messaging.dispatch import messages_send
from tenure.messaging.inbound import is_opt_out, sign
from tenure.messaging.models import ConsentChange, Message, Status
from tests.messaging.conftest import NOW, SECRET, consent, queue

pytestmark = pytest.mark.django_db


def post_signed(client, url: str, payload: object, *, secret: str = SECRET):
    body = json.dumps(payload).encode()
    return client.post(url, body, content_type="application/json", HTTP_X_TENURE_SIGNATURE=sign(body, secret))


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_receipts_need_the_signature_and_mark_delivery(bank, servers, csrf_client):
    sms = queue(bank.customers["wang"])
    email = queue(bank.customers["li"], template="t-other")
    messages_send(now=NOW)
    url = "/hooks/messages/receipts/"
    payload = {"receipts": [{"id": sms.idempotency_key, "status": "delivered", "at": "2027-01-05T10:00:05+08:00"}]}
    assert csrf_client.post(url, json.dumps(payload), content_type="application/json").status_code == 403
    assert post_signed(csrf_client, url, payload, secret="wrong").status_code == 403
    response = post_signed(csrf_client, url, payload)  # CSRF-exempt: the signature authenticates
    assert (response.status_code, response.json()) == (200, {"updated": 1})
    sms.refresh_from_db()
    assert sms.status == Status.DELIVERED and sms.delivered_at.isoformat() == "2027-01-05T02:00:05+00:00"
    assert post_signed(csrf_client, url, payload).json() == {"updated": 0}  # repeated: nothing changes
    bounce = {
        "receipts": [{"id": f"gw-{email.idempotency_key}", "status": "bounced", "error": "号码 13711112222 空号"}]
    }
    assert post_signed(csrf_client, url, bounce).json() == {"updated": 1}  # by the provider's id too
    email.refresh_from_db()
    assert (email.status, email.last_error) == (Status.BOUNCED, "号码 137****2222 空号")
    for junk in ([], {"receipts": "x"}, {"receipts": [1, {"id": 5}, {"id": "x", "status": "lost"}]}):
        assert post_signed(csrf_client, url, junk).json() == {"updated": 0}
    body = b"not json"
    assert (
        csrf_client.post(
            url, body, content_type="application/json", HTTP_X_TENURE_SIGNATURE=sign(body, SECRET)
        ).status_code
        == 400
    )


def test_callbacks_refuse_everything_without_a_secret(bank, messaging_settings, client):
    messaging_settings.MESSAGING_CALLBACK_SECRET = ""
    assert (
        post_signed(client, "/hooks/messages/replies/", {"from": "13812345678", "text": "TD"}, secret="").status_code
        == 403
    )
    assert client.get("/hooks/messages/receipts/").status_code == 405


@pytest.mark.parametrize("text", ["退订", "TD", "td", " T ", "Unsubscribe", "退订。"])
def test_opt_out_words(text):
    assert is_opt_out(text)


@pytest.mark.parametrize("text", ["", "好的", "TD我不要了吗", "stopp", "谢谢"])
def test_other_replies_are_not_opt_outs(text):
    assert not is_opt_out(text)


def test_an_sms_reply_td_withdraws_sms_consent_of_that_number(bank, servers, csrf_client):
    wang = bank.customers["wang"]
    queued = queue(wang)
    url = "/hooks/messages/replies/"
    response = post_signed(
        csrf_client, url, {"from": "+8613812345678", "text": "TD", "at": "2027-01-05T09:00:00+08:00"}
    )
    assert (response.status_code, response.json()) == (200, {"ok": True})
    change = ConsentChange.objects.get()
    assert (change.customer_id, change.field, change.prior, change.value, change.source) == (
        "C0000001",
        "consent_sms",
        True,
        False,
        "sms_reply",
    )
    assert Customer.objects.get(pk=wang.pk).consent_sms is False
    assert messages_send(now=NOW)["suppressed"]["opted_out"] == 1
    queued.refresh_from_db()
    assert queued.status == Status.SUPPRESSED
    # An unknown number and another text get the same answer and change nothing.
    assert post_signed(csrf_client, url, {"from": "13000000000", "text": "退订"}).json() == {"ok": True}
    assert post_signed(csrf_client, url, {"from": "13711112222", "text": "好的"}).json() == {"ok": True}
    assert ConsentChange.objects.count() == 1


def test_the_unsubscribe_page_reveals_nothing_and_one_click_withdraws_the_channel(bank, servers, client):
    wang = bank.customers["wang"]
    consent(wang, email=True, marketing=True)
    offer = queue(wang, channel="email", kind="offer", template="t-offer")
    url = f"/p/unsubscribe/{offer.unsubscribe_token}/"
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and "<form" in text
    for secret in ("王芳", "C0000001", "wangfang", "138", "5678"):
        assert secret not in text
    assert Customer.objects.get(pk=wang.pk).consent_email is True  # GET changes nothing
    done = client.post(url)
    assert done.status_code == 200 and 'data-testid="unsubscribe-done"' in done.content.decode()
    change = ConsentChange.objects.get()
    assert (change.field, change.source, change.message_id) == ("consent_email", "unsubscribe_page", offer.pk)
    assert Customer.objects.get(pk=wang.pk).consent_email is False
    assert 'data-testid="unsubscribe-done"' in client.get(url).content.decode()
    client.post(url)  # again: nothing more recorded
    assert ConsentChange.objects.count() == 1
    assert client.get("/p/unsubscribe/not-a-token/").status_code == 404


def test_the_unsubscribe_form_needs_its_csrf_token(bank, messaging_settings, csrf_client):
    message = queue(bank.customers["wang"], kind="offer")
    assert csrf_client.post(f"/p/unsubscribe/{message.unsubscribe_token}/").status_code == 403
    assert ConsentChange.objects.count() == 0


def test_the_unsubscribe_page_is_limited_per_ip(bank, messaging_settings, client):
    messaging_settings.MESSAGING_UNSUBSCRIBE_LIMIT = 3
    for n in range(3):
        assert client.get(f"/p/unsubscribe/guess-{n}/").status_code == 404
    message = queue(bank.customers["wang"], kind="offer")
    assert client.get(f"/p/unsubscribe/{message.unsubscribe_token}/").status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(f"/p/unsubscribe/{message.unsubscribe_token}/").status_code == 200
    assert Message.objects.count() == 1


def test_a_form_post_to_a_callback_is_refused_not_an_error(bank, messaging_settings, client):
    for url in ("/hooks/messages/receipts/", "/hooks/messages/replies/"):
        assert client.post(url, {"from": "13812345678", "text": "TD"}).status_code == 400
    assert ConsentChange.objects.count() == 0
