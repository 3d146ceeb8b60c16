"""The outbox page and the read-only API: scoped to the caller's branches, texts masked."""

from __future__ import annotations

import pytest

from tenure.messaging.services import consent_change
from tests.messaging.conftest import NOW, queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(bank, messaging_settings):
    own = queue(bank.customers["wang"], body="卡号6222021234567890123的账单")
    foreign = queue(bank.customers["zhao"], channel="email", template="t-zhao")
    consent_change(customer=bank.customers["zhao"], field="consent_sms", value=False, source="staff", at=NOW)
    return own, foreign


def test_the_page_lists_the_callers_branches_only_with_texts_masked(bank, outbox, login):
    own, foreign = outbox
    client = login(bank.staff["rm_a"])
    text = client.get("/messages/").content.decode()
    assert "C0000001" in text and "622202*********0123" in text
    assert "C0000009" not in text and "6222021234567890123" not in text
    assert "C0000009" in login(bank.staff["compliance"]).get("/messages/").content.decode()
    assert "C0000001" not in login(bank.staff["norole"]).get("/messages/").content.decode()


def test_the_page_filters_and_ignores_values_it_does_not_know(bank, outbox, login):
    client = login(bank.staff["analyst"])
    assert "C0000009" not in client.get("/messages/?channel=sms").content.decode()
    assert "C0000001" not in client.get("/messages/?channel=email").content.decode()
    text = client.get("/messages/?status=nonsense&channel=%3Cscript%3E").content.decode()
    assert "C0000001" in text and "C0000009" in text
    assert client.get("/messages/?page=99999999999999999999").status_code == 200


def test_the_api_lists_messages_and_consent_changes_in_scope(bank, outbox, login):
    client = login(bank.staff["rm_a"])
    rows = client.get("/api/v1/messages/").json()["results"]
    assert [(r["customer"], r["channel"], r["status"]) for r in rows] == [("C0000001", "sms", "queued")]
    assert rows[0]["body"] == "卡号622202*********0123的账单"
    assert client.get("/api/v1/consent-changes/").json()["results"] == []
    head_office = login(bank.staff["compliance"])
    assert len(head_office.get("/api/v1/messages/?customer=C0000009").json()["results"]) == 1
    changes = head_office.get("/api/v1/consent-changes/").json()["results"]
    assert [(c["customer"], c["field"], c["prior"], c["value"], c["source"]) for c in changes] == [
        ("C0000009", "consent_sms", True, False, "staff")
    ]
    assert head_office.post("/api/v1/messages/", {}).status_code == 405
