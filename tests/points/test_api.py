"""/api/v1/points/…: merchants' balances and journals, scoped and paginated, for the roles of the pages."""

from __future__ import annotations

from tenure.org.models import Staff
from tenure.points import services
from tests.points.shops import FEB


def _get(client, path: str, **params):
    response = client.get(f"/api/v1/points/{path}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_merchant_balances_are_scoped_and_highest_first(shops, login):
    client = login(Staff.objects.get(username="head_a"))  # 北京分行: M-A1 120, M-A3 30, M-A2 none; M-B1 is 浦东
    data = _get(client, "merchants")
    assert [(m["merchant_no"], m["balance"]) for m in data["results"]] == [("M-A1", 120), ("M-A3", 30), ("M-A2", 0)]
    assert data["results"][2]["volume_carry"] is None  # no account yet
    assert [m["merchant_no"] for m in _get(client, "merchants", min_balance=50)["results"]] == ["M-A1"]
    assert [m["merchant_no"] for m in _get(client, "merchants", category="dining")["results"]] == ["M-A3"]
    assert client.get("/api/v1/points/merchants/", {"category": "nope"}).status_code == 400


def test_journals_list_the_callers_merchants_and_filter_by_merchant_and_kind(shops, login):
    head = Staff.objects.get(username="head_a")
    services.redeem(shops["a1"], 20, reward="收银纸", by=head, key="api-1", day=FEB)
    client = login(head)
    journals = _get(client, "journals")["results"]
    assert [(j["merchant"], j["kind"], j["points"]) for j in journals] == [
        ("M-A1", "redeem", 20),
        ("M-A3", "earn", 30),
        ("M-A1", "earn", 120),
    ]
    assert journals[0]["created_by"] == "head_a" and journals[0]["memo"] == "收银纸"
    assert _get(client, "journals", merchant="M-B1")["count"] == 0  # 浦东: not hers
    assert [j["points"] for j in _get(client, "journals", kind="earn", merchant="M-A1")["results"]] == [120]
    assert _get(login(Staff.objects.get(username="rm_b")), "journals", merchant="M-B1")["count"] == 1


def test_roles_without_the_points_pages_get_403(shops, login):
    for who in ("lobby_a", "norole"):
        client = login(Staff.objects.get(username=who))
        assert client.get("/api/v1/points/merchants/").status_code == 403
        assert client.get("/api/v1/points/journals/").status_code == 403
