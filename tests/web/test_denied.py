"""Every refused request is in the audit log, whichever page or API refused it (tenure/web/denied.py)."""

from __future__ import annotations

from tenure.core.models import AuditEntry


def _denied(who: str) -> list[tuple[str, str]]:
    rows = AuditEntry.objects.filter(action="access.denied", actor_name=who).order_by("id")
    return [(row.object_id, row.detail.get("method")) for row in rows]


def test_a_page_refused_for_the_role_is_logged(bank, login):
    client = login(bank.staff["lobby_a"])
    assert client.get("/analytics/").status_code == 403  # tiers & value: head office and branch heads
    assert client.get("/analytics/potential/").status_code == 403
    assert _denied("lobby_a") == [("/analytics/", "GET"), ("/analytics/potential/", "GET")]


def test_an_api_call_refused_for_the_role_or_with_a_bad_token_is_logged(bank, login):
    client = login(bank.staff["lobby_a"])
    assert client.get("/api/v1/points/merchants/").status_code == 403
    assert _denied("lobby_a") == [("/api/v1/points/merchants/", "GET")]
    client.logout()
    assert client.get("/api/v1/customers/", HTTP_AUTHORIZATION="Token not-a-token").status_code == 401
    assert _denied("system") == [("/api/v1/customers/", "GET")]


def test_allowed_pages_and_anonymous_visits_log_nothing(bank, login, client):
    assert client.get("/analytics/").status_code == 302  # to the log-in page
    assert login(bank.staff["head_a"]).get("/analytics/").status_code == 200
    assert not AuditEntry.objects.filter(action="access.denied").exists()
