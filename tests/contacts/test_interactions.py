"""Interaction notes on the 360° page: newest first, masked, scoped, audited, read-only for auditors."""

from __future__ import annotations

import pytest

from tenure.contacts.models import Interaction
from tenure.core.models import AuditEntry


def _url(customer) -> str:
    return f"/contacts/customers/{customer.pk}/"


def _note(client, customer, summary: str, **extra):
    return client.post(_url(customer), {"channel": "phone", "summary": summary, **extra}, HTTP_HX_REQUEST="true")


def test_recorded_notes_show_newest_first(bank, login):
    client = login(bank.staff["rm_a"])
    wang = bank.customers["wang"]
    _note(client, wang, "想了解大额存单")
    response = _note(client, wang, "到期后考虑续存", next_step="下周回电", follow_up_on="2026-12-01")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("到期后考虑续存") < html.index("想了解大额存单")
    assert "下周回电" in html
    assert Interaction.objects.filter(customer=wang).count() == 2


def test_a_colleague_in_the_branch_sees_the_note(bank, login):
    _note(login(bank.staff["rm_a"]), bank.customers["wang"], "客户对理财收益不满意")
    html = login(bank.staff["lobby_a"]).get(_url(bank.customers["wang"])).content.decode()
    assert "客户对理财收益不满意" in html


def test_numbers_typed_into_a_note_are_masked_on_the_page_and_in_the_audit(bank, login):
    client = login(bank.staff["rm_a"])
    html = _note(client, bank.customers["wang"], "新手机号 13912345678").content.decode()
    assert "13912345678" not in html and "139****5678" in html
    entry = AuditEntry.objects.get(action="interaction.record")
    assert "13912345678" not in str(entry.detail) and entry.customer_no == "C0000001"
    from tenure.contacts.models import Interaction

    stored = Interaction.objects.get(customer=bank.customers["wang"])
    assert stored.summary == "新手机号 139****5678"  # masked at rest too: a note is not an encrypted field


def test_an_empty_note_is_refused_with_a_message(bank, login):
    response = _note(login(bank.staff["rm_a"]), bank.customers["wang"], "")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Interaction.objects.exists()


def test_auditors_read_but_cannot_write(bank, login):
    client = login(bank.staff["compliance"])
    assert client.get(_url(bank.customers["wang"])).status_code == 200
    assert _note(client, bank.customers["wang"], "x").status_code == 403
    assert not Interaction.objects.exists()


def test_a_foreign_customer_is_404_and_the_denial_is_logged(bank, login):
    client = login(bank.staff["rm_a"])
    zhao = bank.customers["zhao"]
    assert client.get(_url(zhao)).status_code == 404
    assert _note(client, zhao, "x").status_code == 404
    assert not Interaction.objects.exists()
    assert AuditEntry.objects.filter(action="access.denied", object_id=str(zhao.pk)).exists()


def test_the_360_page_loads_the_section(bank, login):
    html = login(bank.staff["rm_a"]).get(f"/customers/{bank.customers['wang'].pk}/").content.decode()
    assert _url(bank.customers["wang"]) in html


def test_the_channel_prompts_and_is_required(bank, login):
    client = login(bank.staff["rm_a"])
    wang = bank.customers["wang"]
    html = client.get(_url(wang), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "请选择渠道</option>" in html and "---------" not in html
    response = client.post(_url(wang), {"channel": "", "summary": "路过网点"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'role="alert"' in html and not Interaction.objects.exists()
    assert "路过网点" in html  # what was typed is kept for the second try


def test_a_note_whose_audit_fails_is_not_stored(bank, monkeypatch):
    from tenure.contacts import services

    def audit_down(**entry):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit", audit_down)

    with pytest.raises(RuntimeError, match="audit store down"):
        services.interaction_record(
            by=bank.staff["rm_a"], customer=bank.customers["wang"], channel="phone", summary="想了解大额存单"
        )

    assert not Interaction.objects.exists()
