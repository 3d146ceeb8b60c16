"""The 360° page's communication section: messages sent (masked, link tokens hidden), consent history."""

from __future__ import annotations

import pytest

from tenure.messaging.services import consent_change
from tests.factories import english  # noqa: F401
from tests.messaging.conftest import NOW, queue

pytestmark = pytest.mark.django_db
TOKEN = "Zr8kq2LmN0pQ4sT6vX9yB1cD3eF5gH7j"


def test_the_section_lists_messages_masked_and_the_consent_history(bank, login, english):  # noqa: F811
    wang = bank.customers["wang"]
    queue(wang, body="卡号6222021234567890123的账单")
    queue(wang, kind="survey", template="survey_invitation", body=f"请作答：https://bank.example/p/s/{TOKEN}/ 谢谢")
    consent_change(customer=wang, field="consent_sms", value=False, source="staff", by=bank.staff["rm_a"], at=NOW)
    client = login(bank.staff["rm_a"])
    assert "messaging:customer_panel" not in client.get(f"/customers/{wang.pk}/?tab=service").content.decode()
    assert f"/messages/customers/{wang.pk}/panel/" in client.get(f"/customers/{wang.pk}/?tab=service").content.decode()
    text = client.get(f"/messages/customers/{wang.pk}/panel/").content.decode()
    assert "622202*********0123" in text and "6222021234567890123" not in text
    assert "/p/s/…/" in text and TOKEN not in text
    assert "Survey invitation" in text and "Queued" in text
    assert "SMS consent" in text and "rm_a" in text and "Staff" in text
    assert (
        "No consent changes"
        in client.get(f"/messages/customers/{bank.customers['wanglei'].pk}/panel/").content.decode()
    )
    assert client.get(f"/messages/customers/{bank.foreign.pk}/panel/").status_code == 404
    api = login(bank.staff["compliance"]).get("/api/v1/messages/?customer=C0000001").json()
    bodies = [row["body"] for row in api["results"]]
    assert any("/p/s/…/" in body for body in bodies) and not any(TOKEN in body for body in bodies)
