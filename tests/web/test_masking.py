"""No page, API response or export shows an identifier in clear; reveals need a reason and are audited."""

from __future__ import annotations

import pytest

from tenure.core.models import AuditEntry

CLEAR = ("13812345678", "110101199003071234", "wangfang@example.com", "6222020200112233445", "6222021234567890123")
MASKED = ("138****5678", "110***********1234", "w***@example.com", "622202*********3445", "622202*********0123")


def body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8")


@pytest.mark.parametrize("who", ["rm_a", "lobby_a", "head_a", "analyst", "service", "compliance", "admin"])
def test_no_clear_identifier_on_any_page_api_or_export(lake, login, who):
    client = login(lake.staff[who])
    wang = lake.customers["wang"]
    urls = [
        "/",
        "/customers/?q=王",
        "/customers/?q=13812345678",  # typed into the URL by hand: still not echoed in clear
        f"/customers/{wang.pk}/",
        f"/customers/{wang.pk}/transactions/",
        "/customers/export.csv?q=王&view=all",
        "/api/v1/customers/?q=13812345678",
        f"/api/v1/customers/{wang.pk}/",
        "/api/v1/accounts/?customer=C0000001",
        "/audit/",
        "/audit/export.csv",
        "/api/v1/audit/",
    ]
    shown = body(client.post("/customers/", {"q": "13812345678", "view": "all"}))
    for url in urls:
        text = body(client.get(url))
        shown += text
        for clear in CLEAR:
            assert clear not in text, f"{url} shows {clear} to {who}"
    for masked in MASKED[:2]:
        assert masked in shown


def test_detail_page_shows_masked_identifiers_and_reveal_buttons_for_allowed_roles(lake, login):
    wang = lake.customers["wang"]
    client = login(lake.staff["rm_a"])  # identifiers on the overview tab, account numbers on the accounts tab
    text = body(client.get(f"/customers/{wang.pk}/")) + body(client.get(f"/customers/{wang.pk}/?tab=accounts"))
    for masked in MASKED:
        assert masked in text
    assert 'name="reason"' in text
    text = body(login(lake.staff["analyst"]).get(f"/customers/{wang.pk}/"))
    assert 'name="reason"' not in text  # analysts work on aggregates: no reveal


def test_unmask_with_reason_reveals_for_60_seconds_and_is_audited(lake, login):
    wang = lake.customers["wang"]
    client = login(lake.staff["rm_a"])
    response = client.post(
        f"/customers/{wang.pk}/unmask/",
        {"field": "mobile", "reason_code": "customer_call", "reason": "客户来电核实身份"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = body(response)
    assert "13812345678" in text and 'data-reveal-seconds="60"' in text
    assert "138****5678" in text  # the masked form comes back when the time is up
    entry = AuditEntry.objects.get(action="customer.unmask")
    assert (entry.actor_name, entry.customer_no, entry.reason, entry.detail) == (
        "rm_a",
        "C0000001",
        "客户来电核实身份",
        {"field": "mobile", "reason_code": "customer_call"},
    )
    assert response["Cache-Control"] == "no-store"


def test_unmask_of_a_card_number_names_the_account(lake, login):
    wang = lake.customers["wang"]
    account = lake.accounts["A-wang-cur"]
    client = login(lake.staff["lobby_a"])
    response = client.post(
        f"/customers/{wang.pk}/unmask/",
        {"field": "card_number", "account": account.pk, "reason_code": "transaction"},
        HTTP_HX_REQUEST="true",
    )
    assert "6222021234567890123" in body(response)
    entry = AuditEntry.objects.get(action="customer.unmask")
    assert (entry.object_type, entry.object_id) == ("account", "A-wang-cur")


def test_unmask_needs_a_reason(lake, login):
    """A reason code is required; "other" needs the reason in words as well."""
    wang = lake.customers["wang"]
    client = login(lake.staff["rm_a"])
    for data in (
        {"reason": "客户来电核实身份"},
        {"reason_code": "curious", "reason": "客户来电核实身份"},
        *({"reason_code": "other", "reason": reason} for reason in ("", "   ", "ab")),
    ):
        response = client.post(f"/customers/{wang.pk}/unmask/", {"field": "id_number", **data})
        assert response.status_code == 400
        assert "110101199003071234" not in body(response)
    assert not AuditEntry.objects.filter(action="customer.unmask").exists()


def test_roles_without_unmask_right_are_refused(lake, login):
    wang = lake.customers["wang"]
    for who in ("analyst", "admin"):
        response = login(lake.staff[who]).post(
            f"/customers/{wang.pk}/unmask/", {"field": "mobile", "reason_code": "other", "reason": "just curious"}
        )
        assert response.status_code == 403
        assert "13812345678" not in body(response)
    assert not AuditEntry.objects.filter(action="customer.unmask").exists()


def test_another_customers_account_cannot_be_unmasked_through_this_customer(lake, login):
    wang = lake.customers["wang"]
    other = lake.accounts["A-wanglei-sav"]  # same branch, other customer
    response = login(lake.staff["rm_a"]).post(
        f"/customers/{wang.pk}/unmask/",
        {"field": "account_number", "account": other.pk, "reason_code": "transaction"},
    )
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="customer.unmask").exists()


def test_api_unmask(lake, login):
    wang = lake.customers["wang"]
    client = login(lake.staff["rm_a"])
    url = f"/api/v1/customers/{wang.pk}/unmask/"
    assert client.post(url, {"field": "mobile"}, content_type="application/json").status_code == 400
    bad_code = {"field": "mobile", "reason_code": "curious", "reason": "回访核实"}
    assert client.post(url, bad_code, content_type="application/json").status_code == 400
    # A client that sends free text only (before reason codes) is recorded as "other".
    response = client.post(url, {"field": "mobile", "reason": "回访核实"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["value"] == "13812345678"
    coded = {"field": "mobile", "reason_code": "complaint"}
    assert client.post(url, coded, content_type="application/json").status_code == 200
    entries = AuditEntry.objects.filter(action="customer.unmask", actor_name="rm_a").order_by("id")
    assert [(e.detail["reason_code"], e.reason) for e in entries] == [("other", "回访核实"), ("complaint", "")]
