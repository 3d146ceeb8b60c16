"""Compliance's audit-log page: filters, CSV export, and no way to change an entry."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tenure.core.audit import audit
from tenure.core.models import AppendOnlyError, AuditEntry


@pytest.fixture
def entries(bank):
    rm = bank.staff["rm_a"]
    audit(action="customer.unmask", actor=rm, customer_no="C0000001", reason="核实 13812345678", detail={"field": "x"})
    audit(action="customer.view", actor=rm, customer_no="C0000002")
    audit(action="customer.view", actor=bank.staff["head_a"], customer_no="C0000001")
    return bank


def rows(response) -> list[str]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return text.strip().splitlines()


def test_only_compliance_reads_the_audit_log(entries, login):
    for who in ("rm_a", "head_a", "analyst", "admin", "service", "lobby_a"):
        client = login(entries.staff[who])
        assert client.get("/audit/").status_code == 403
        assert client.get("/audit/export.csv").status_code == 403
        assert client.get("/api/v1/audit/").status_code == 403
    assert login(entries.staff["compliance"]).get("/audit/").status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "customer.view"}, 2),
        ({"actor": "rm_a", "customer_no": "C0000001"}, 1),
        ({"customer_no": "C0000001"}, 2),
        ({"action": "customer.unmask"}, 1),
        ({"actor": "rm_a", "action": "customer.view"}, 1),
        ({"date_from": "2000-01-01", "date_to": "2000-01-02"}, 0),
    ],
)
def test_filters_apply_to_page_csv_and_api(entries, login, query, expected):
    client = login(entries.staff["compliance"])
    today = timezone.localdate().isoformat()
    if "date_from" not in query:
        query = {**query, "date_from": today}
    page = client.get("/audit/", query)
    assert page.status_code == 200
    assert len(rows(client.get("/audit/export.csv", query))) == expected + 1  # header
    assert client.get("/api/v1/audit/", query).json()["count"] == expected


def test_csv_masks_identifiers_in_free_text(entries, login):
    text = "\n".join(rows(login(entries.staff["compliance"]).get("/audit/export.csv", {"action": "customer.unmask"})))
    assert "13812345678" not in text and "138****5678" in text


def test_exporting_the_log_is_itself_audited(entries, login):
    login(entries.staff["compliance"]).get("/audit/export.csv")
    assert AuditEntry.objects.filter(action="audit.export", actor_name="compliance").exists()


def test_entries_cannot_be_changed_or_deleted_through_any_interface(entries, login):
    client = login(entries.staff["compliance"])
    entry = AuditEntry.objects.first()
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/audit/").status_code == 405
        assert getattr(client, method)("/api/v1/audit/").status_code in (403, 405)
        assert getattr(client, method)(f"/api/v1/audit/{entry.pk}/").status_code in (404, 405)
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(action__startswith="customer.").count() == 3


def test_the_compliance_home_counts_what_it_watches(entries, login):
    rm, head = entries.staff["rm_a"], entries.staff["head_a"]
    audit(action="customer.unmask", actor=rm, customer_no="C0000002", reason="客户来电核实", detail={"field": "mobile"})
    audit(action="customer.unmask", actor=head, customer_no="C0000001", reason="投诉核实", detail={"field": "id"})
    audit(action="customer.export", actor=head, detail={"rows": 3})
    audit(action="access.denied", actor=rm, object_type="customer", customer_no="C0000009")
    old = audit(action="access.denied", actor=rm, object_type="customer", customer_no="C0000009")
    with connection.cursor() as cursor:  # 45 days ago, outside the 30 watched (entries refuse updates)
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET at = %s WHERE id = %s",
            [timezone.now() - dt.timedelta(days=45), old.pk],
        )
    Client().post("/accounts/login/", {"username": "rm_a", "password": "wrong"})  # noqa: S106
    client = login(entries.staff["compliance"])  # a successful login: not counted
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = dict(re.findall(r'data-testid="kpi-([a-z-]+)">(?:<a [^>]*>)?(\d+)<', html))
    assert shown == {"reveals": "3", "exports": "1", "denied": "1", "failed-logins": "1"}
    top = html.split('data-testid="top-revealers"')[1].split("</section>")[0]
    assert top.index("rm_a") < top.index("head_a")  # two reveals before one
    assert "13812345678" not in html  # the reason's number stays masked on the page too


def test_the_audit_page_masks_numbers_typed_into_reasons(entries, login):
    html = login(entries.staff["compliance"]).get("/audit/").content.decode()
    assert "核实 138****5678" in html and "13812345678" not in html
