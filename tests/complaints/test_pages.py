"""Staff pages and API: scoping (a foreign customer's complaint is a 404 everywhere), roles, the
queue order, intake, transitions with their errors, the 360° panel, masking."""

from __future__ import annotations

import pytest

from tenure.complaints.models import Complaint, RootCause
from tests.complaints.conftest import aware


@pytest.fixture
def mine_and_foreign(bank, file_complaint):
    return file_complaint("wang"), file_complaint("zhao", by="rm_b")


@pytest.mark.parametrize("who", ["rm_a", "head_a", "lobby_a"])
def test_a_foreign_customers_complaint_is_404_on_every_page_and_the_api(bank, login, mine_and_foreign, who):
    client = login(bank.staff[who])
    _mine, foreign = mine_and_foreign
    for url in (
        f"/complaints/{foreign.pk}/",
        f"/api/v1/complaints/{foreign.pk}/",
        f"/complaints/customers/{bank.foreign.pk}/panel/",
    ):
        assert client.get(url).status_code == 404, url
    for action, data in (
        ("transition", {"to": "acknowledged"}),
        ("step", {"step": "apologise"}),
        ("details", {"severity": "low"}),
        ("match", {"customer_no": "C0000001"}),
    ):
        assert client.post(f"/complaints/{foreign.pk}/{action}/", data).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "received" and foreign.severity == "medium" and foreign.events.count() == 1
    numbers = [c["reference"] for c in client.get("/api/v1/complaints/").json()["results"]]
    assert foreign.reference not in numbers and "赵敏" not in client.get("/complaints/?status=").content.decode()


def test_head_office_sees_every_branch_and_the_unmatched(bank, login, mine_and_foreign, file_complaint):
    unmatched = file_complaint(None, by="service", channel="web", contact_name="陈先生", contact_mobile="13900001111")
    service = login(bank.staff["service"])
    html = service.get("/complaints/").content.decode()
    assert all(c.reference in html for c in (*mine_and_foreign, unmatched))
    assert "陈**" in html and "陈先生" not in html  # an unmatched contact's name is masked
    detail = service.get(f"/complaints/{unmatched.pk}/").content.decode()
    assert "139****1111" in detail and "13900001111" not in detail
    data = service.get(f"/api/v1/complaints/{unmatched.pk}/").json()
    assert data["contact_mobile"] == "139****1111" and data["contact_name"] == "陈**" and data["customer"] == ""
    # Branch staff never see it (no customer, no branch).
    assert login(bank.staff["head_a"]).get(f"/complaints/{unmatched.pk}/").status_code == 404


def test_head_office_matches_an_unmatched_complaint(bank, login, file_complaint):
    unmatched = file_complaint(None, by="service", channel="web", contact_name="王芳", contact_mobile="13900001111")
    client = login(bank.staff["service"])
    assert client.post(f"/complaints/{unmatched.pk}/match/", {"customer_no": "C0000009"}).status_code == 302
    unmatched.refresh_from_db()
    assert unmatched.customer == bank.foreign and unmatched.branch_id == "S0201"
    assert login(bank.staff["rm_a"]).get(f"/complaints/{unmatched.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("who", "queue", "analytics"),
    [
        ("norole", 403, 403),
        ("analyst", 403, 200),
        ("compliance", 200, 403),
        ("admin", 403, 403),
        ("head_a", 200, 200),
        ("rm_a", 200, 403),
        ("service", 200, 200),
    ],
)
def test_roles(bank, login, who, queue, analytics):
    client = login(bank.staff[who])
    assert client.get("/complaints/").status_code == queue
    assert client.get("/complaints/analytics/").status_code == analytics
    assert client.get("/api/v1/complaints/").status_code == (200 if queue == 200 else 403)


def test_compliance_reads_but_does_not_handle(bank, login, mine_and_foreign):
    client = login(bank.staff["compliance"])
    mine, _ = mine_and_foreign
    assert client.get(f"/complaints/{mine.pk}/").status_code == 200
    assert client.post(f"/complaints/{mine.pk}/transition/", {"to": "acknowledged"}).status_code == 403
    assert client.get("/complaints/new/").status_code == 403


def test_the_queue_puts_the_least_time_left_first(bank, login, file_complaint):
    late = file_complaint("wang", severity="low", received_at=aware(2025, 1, 6, 9, 0))
    soon = file_complaint("wanglei", severity="critical")
    later = file_complaint("li", by="rm_a2", severity="low")
    done = file_complaint("wang", severity="high")
    done.status = "closed"
    done.save()
    html = login(bank.staff["head_a"]).get("/complaints/?status=").content.decode()
    positions = [html.index(c.reference) for c in (late, soon, later, done)]
    assert positions == sorted(positions)
    assert "overdue" in html or "超时" in html
    open_only = login(bank.staff["head_a"]).get("/complaints/").content.decode()
    assert done.reference not in open_only


def test_queue_filters(bank, login, file_complaint):
    a = file_complaint("wang", severity="high", channel="phone")
    b = file_complaint("li", by="rm_a2", severity="low")
    b.root_cause = RootCause.objects.get(code="manners")
    b.save()
    client = login(bank.staff["head_a"])
    for query, shown, hidden in (
        ("severity=high", a, b),
        ("channel=phone", a, b),
        ("branch=S0102", b, a),
        ("cause=manners", b, a),
    ):
        html = client.get(f"/complaints/?{query}").content.decode()
        assert shown.reference in html and hidden.reference not in html, query


def test_intake_finds_the_customer_by_number_within_scope_only(bank, login):
    client = login(bank.staff["lobby_a"])
    form = {"channel": "counter", "severity": "medium", "product_type": "", "description": "取款机吞卡，无人处理。"}
    refused = client.post("/complaints/new/", {**form, "customer_no": "C0000009"})
    assert refused.status_code == 400 and not Complaint.objects.exists() and "赵敏" not in refused.content.decode()
    response = client.post("/complaints/new/", {**form, "customer_no": "C0000001"})
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/complaints/{complaint.pk}/"
    assert complaint.customer == bank.customers["wang"] and complaint.created_by == bank.staff["lobby_a"]
    prefilled = client.get(f"/complaints/new/?customer={bank.customers['wang'].pk}").content.decode()
    assert 'value="C0000001"' in prefilled
    assert 'value="C0000009"' not in client.get(f"/complaints/new/?customer={bank.foreign.pk}").content.decode()


def test_detail_transitions_and_a_refused_one_explains_why(bank, login, file_complaint):
    complaint = file_complaint("wang", description="客户说卡号6222021234567890123被重复扣费")
    client = login(bank.staff["rm_a"])
    html = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "622202*********0123" in html and "6222021234567890123" not in html
    assert "data-confirm=" in html and 'data-testid="checklist"' in html
    refused = client.post(f"/complaints/{complaint.pk}/transition/", {"to": "closed"})
    assert refused.status_code == 409 and 'data-testid="complaint-error"' in refused.content.decode()
    assert client.post(f"/complaints/{complaint.pk}/transition/", {"to": "acknowledged"}).status_code == 302
    assert client.post(f"/complaints/{complaint.pk}/step/", {"step": "apologise"}).status_code == 302
    assert client.post(f"/complaints/{complaint.pk}/step/", {"step": "follow_up"}).status_code == 400
    cause = RootCause.objects.get(code="unclear_explanation")
    details = {"severity": "high", "root_cause": cause.pk, "fact_who": "柜员", "resolution": "已退款"}
    assert client.post(f"/complaints/{complaint.pk}/details/", details).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "acknowledged" and complaint.root_cause == cause and complaint.severity == "high"
    timeline = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert timeline.count("<li><strong>") == complaint.events.count() >= 4


def test_the_360_page_lists_the_customers_complaints_newest_first(bank, login, file_complaint):
    old = file_complaint("wang", received_at=aware(2025, 3, 1, 10, 0))
    new = file_complaint("wang")
    client = login(bank.staff["rm_a"])
    panel = client.get(f"/complaints/customers/{bank.customers['wang'].pk}/panel/").content.decode()
    assert panel.index(new.reference) < panel.index(old.reference)
    page = client.get(f"/customers/{bank.customers['wang'].pk}/?tab=service").content.decode()
    assert f"/complaints/customers/{bank.customers['wang'].pk}/panel/" in page
    assert 'data-testid="placeholder-complaints"' not in page
    analyst = login(bank.staff["analyst"]).get(f"/complaints/customers/{bank.customers['wang'].pk}/panel/")
    assert analyst.status_code == 200 and new.reference not in analyst.content.decode()


def test_root_causes_are_editable_by_admin_and_service_only(bank, login):
    cause = RootCause.objects.get(code="manners")
    assert login(bank.staff["rm_a"]).get("/complaints/causes/").status_code == 403
    client = login(bank.staff["admin"])
    data = {"id": cause.pk, "code": "manners", "label_zh": "态度问题", "label_en": "Attitude", "position": 4}
    assert client.post("/complaints/causes/", data).status_code == 302
    cause.refresh_from_db()
    assert (cause.label_zh, cause.label_en, cause.active) == ("态度问题", "Attitude", False)
    new = {"code": "queue_time", "label_zh": "等候时间过长", "label_en": "Waiting", "position": 7, "active": "on"}
    assert client.post("/complaints/causes/", new).status_code == 302
    assert RootCause.objects.filter(code="queue_time", active=True).exists()


def test_nav_link_by_role(bank, login):
    assert 'href="/complaints/"' in login(bank.staff["rm_a"]).get("/").content.decode()
    assert 'href="/complaints/analytics/"' in login(bank.staff["analyst"]).get("/").content.decode()
    assert 'href="/complaints/causes/"' in login(bank.staff["admin"]).get("/").content.decode()
    assert "/complaints/" not in login(bank.staff["norole"]).get("/").content.decode()
