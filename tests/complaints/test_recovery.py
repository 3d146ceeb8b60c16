"""Recovery maths on hand-made data, the page, the export, the churn feed and the generator."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from tenure.complaints import recovery
from tenure.complaints.models import Complaint, RootCause
from tenure.complaints.selectors import complaints_for_signals
from tests.complaints.conftest import aware

T0 = pd.Timestamp("2025-03-03 09:00", tz="Asia/Shanghai")
H = pd.Timedelta(hours=1)
D = pd.Timedelta(days=1)


def frame() -> pd.DataFrame:
    """Six complaints: two fast, one within SLA, one late, one open and overdue, one open in time."""
    due = T0 + 5 * D
    rows = [
        # customer, branch, cause, received, resolved, escalated, retained
        ("C1", "B1", "manners", T0, T0 + 3 * H, 0, True),
        ("C1", "B1", "manners", T0 + 10 * D, T0 + 10 * D + 20 * H, 0, True),
        ("C2", "B1", "promise_broken", T0, T0 + 4 * D, 0, False),
        ("C3", "B2", "manners", T0, T0 + 9 * D, 1, False),
        ("C4", "B2", None, T0, pd.NaT, 1, np.nan),
        ("C5", "B2", "staff_knowledge", T0 + 20 * D, pd.NaT, 0, True),
    ]
    f = pd.DataFrame(
        rows, columns=["customer_no", "branch", "cause", "received_at", "resolved_at", "escalation_level", "retained"]
    )
    f["resolve_due_at"] = [due, T0 + 15 * D, due, due, due, T0 + 25 * D]
    f["ack_due_at"] = f.received_at + 24 * H
    f["acknowledged_at"] = [T0 + H, T0 + 10 * D + H, T0 + 30 * H, T0 + 2 * H, pd.NaT, T0 + 20 * D + H]
    f["owner"] = ["rm1", "rm1", "rm2", "rm2", None, "rm1"]
    f["retained"] = f.retained.astype("object")
    return f


NOW = T0 + 22 * D


def test_rate_per_10k():
    assert recovery.per_10k(4, 1000) == 40.0 and recovery.per_10k(1, 0) is None


def test_resolution_histogram():
    days = recovery.resolution_days(frame())
    assert list(days.round(3)) == [0.125, 0.833, 4.0, 9.0]
    hist = recovery.histogram(days)
    assert hist["labels"][0] == "0–1" and hist["labels"][-1] == "30+"
    assert dict(zip(hist["labels"], hist["values"], strict=True)) == {
        "0–1": 2,
        "1–2": 0,
        "2–3": 0,
        "3–5": 1,
        "5–7": 0,
        "7–10": 1,
        "10–15": 0,
        "15–30": 0,
        "30+": 0,
    }


def test_sla_compliance():
    sla = recovery.sla_compliance(frame(), NOW)
    # Resolved on time: 3 of 4; acknowledged on time: 4 of 5 (the 30-hour one is late).
    assert sla == {"ack_on_time": 0.8, "resolved_on_time": 0.75, "resolved": 4, "open": 2, "open_overdue": 1}


def test_pareto_orders_causes_and_puts_unclassified_last():
    p = recovery.pareto(frame(), {"manners": "Manners"})
    assert p["codes"] == ["manners", "promise_broken", "staff_knowledge", ""]
    assert p["labels"][0] == "Manners" and p["labels"][-1] == "—"
    assert p["values"] == [3, 1, 1, 1] and p["cumulative"] == [0.5, 0.6667, 0.8333, 1.0]


def test_repeat_complainers():
    r = recovery.repeat_complainers(frame())
    assert list(r.customer_no) == ["C1"] and int(r.complaints[0]) == 2 and int(r.open[0]) == 0


def test_speed_buckets_and_retention_by_speed():
    f = frame()
    assert list(recovery.speed(f)) == ["within_1_day", "within_1_day", "within_sla", "late", "unresolved", "unresolved"]
    r = recovery.retention_by_speed(f).set_index("speed")
    # C4 (unresolved) is not observable yet and is left out.
    assert r.loc["within_1_day"].tolist() == [2, 2, 1.0]
    assert r.loc["within_sla"].tolist() == [1, 0, 0.0] and r.loc["late"].tolist() == [1, 0, 0.0]
    assert r.loc["unresolved"].tolist() == [1, 1, 1.0]
    by = recovery.retention_by_speed(f, "branch")
    assert set(zip(by.branch, by.speed, strict=True)) == {
        ("B1", "within_1_day"),
        ("B1", "within_sla"),
        ("B2", "late"),
        ("B2", "unresolved"),
    }


def test_a_resolution_after_the_retention_horizon_counts_as_unresolved():
    f = frame()
    # C3's complaint took 9 days: with a 7-day horizon it was still open when retention was observed.
    assert list(recovery.speed(f, horizon_days=7))[3] == "unresolved"
    assert recovery.retention_by_speed(f, horizon_days=7).set_index("speed").loc["unresolved"].tolist() == [2, 1, 0.5]


def test_retained_rule():
    base = pd.Series([1000.0, 1000.0, 0.0, 1000.0, 1000.0])
    observed = pd.Series([400.0, 200.0, 0.0, np.nan, 900.0])
    closed = pd.Series([False, False, False, False, True])
    result = recovery.retained(base, observed, closed, 0.3)
    # 40% kept; 20% kept (< 30%); no baseline: accounts decide; not observable yet; all accounts closed.
    assert [None if pd.isna(v) else bool(v) for v in result] == [True, False, True, None, False]


def test_service_kpis_per_branch_and_handler():
    k = recovery.service_kpis(frame(), "branch", NOW).set_index("branch")
    assert k.loc["B1"].tolist() == [3, 3, 1.0, 0.8, 0, 0]
    assert k.loc["B2"].complaints == 3 and k.loc["B2"].on_time == 0.0 and k.loc["B2"].open_overdue == 1
    staff = recovery.service_kpis(frame(), "owner", NOW).set_index("owner")
    assert staff.loc["—"].complaints == 1 and staff.loc["rm1"].complaints == 3


@pytest.fixture
def history(bank, file_complaint):
    """Three complaints of B01 customers: fast, late, open; one foreign (B02)."""
    from tenure.complaints.lifecycle import complaint_transition
    from tenure.complaints.services import complaint_step_record

    by = bank.staff["rm_a"]
    cause = RootCause.objects.get(code="manners")
    fast = file_complaint("wang", severity="medium", received_at=aware(2025, 6, 2, 9, 0))
    late = file_complaint("li", by="rm_a2", severity="high", received_at=aware(2025, 6, 2, 9, 0))
    file_complaint("wanglei", severity="low", received_at=aware(2025, 6, 20, 9, 0))
    file_complaint("zhao", by="rm_b", received_at=aware(2025, 6, 3, 9, 0))
    for complaint, resolved in ((fast, aware(2025, 6, 2, 15, 0)), (late, aware(2025, 6, 20, 15, 0))):
        complaint.root_cause = cause
        complaint.save()
        for status in ("acknowledged", "investigating", "resolved"):
            complaint = complaint_transition(complaint, status, by, at=resolved)
        complaint_step_record(complaint=complaint, by=by, step="follow_up", rating=5)
    return bank


def test_the_page_is_scoped_and_shows_the_numbers(history, login):
    html = login(history.staff["head_a"]).get("/complaints/analytics/").content.decode()
    assert 'data-testid="recovery-complaints">3<' in html  # B01's three, not B02's
    assert 'data-testid="recovery-rate">10000.0<' in html  # 3 complaints over B01's 3 customers
    assert "complaints-data" in html and 'data-complaints="pareto"' in html and 'data-complaints="hist"' in html
    assert "赵敏" not in html
    data = json.loads(re.search(r'<script id="complaints-data" type="application/json">(.*?)</script>', html)[1])
    assert data["hist"]["unit"] == "天"  # the chart's axis name, in the page's language
    empty = login(history.staff["head_a"]).get("/complaints/analytics/?from=2030-01-01").content.decode()
    assert 'data-testid="recovery-empty"' in empty


def test_export_header_and_audit(history, login):
    from tenure.core.models import AuditEntry

    client = login(history.staff["service"])
    response = client.get("/complaints/analytics/export.xlsx", {"table": "kpi_branch"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response["Content-Disposition"].startswith(
        'attachment; filename="complaints-kpi_branch-'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Branch",
        "Complaints",
        "Resolved",
        "Resolved on time (%)",
        "Median days to resolve",
        "Escalated",
        "Open and overdue",
    )
    assert sum(r[1] for r in rows[1:]) == 4
    assert AuditEntry.objects.filter(action="complaint.analytics.export", actor_name="service").exists()
    assert client.get("/complaints/analytics/export.xlsx", {"table": "nope"}).status_code == 404


def test_handlers_are_named_not_coded(history, login):
    for username, name in (("rm_a", "张伟"), ("rm_a2", "李静")):
        history.staff[username].full_name = name
        history.staff[username].save()
    sheet = load_workbook(
        io.BytesIO(
            login(history.staff["service"]).get("/complaints/analytics/export.xlsx", {"table": "kpi_staff"}).content
        )
    ).active
    handlers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "张伟" in handlers and not handlers & {"rm_a", "rm_a2"}


def test_complaints_for_signals(history):
    day = dt.date(2025, 6, 25)
    f = complaints_for_signals(day).set_index("customer_no")
    # wanglei: open; zhao: open; li: resolved late within 90 days; wang: resolved fast → left out.
    assert set(f.index) == {"C0000002", "C0000009", "C0000003"}
    assert f.loc["C0000003"].resolved_late_recent and f.loc["C0000003"].open_complaints == 0
    assert f.loc["C0000002"].open_complaints == 1 and f.loc["C0000002"].max_open_severity == 1
    before = complaints_for_signals(dt.date(2025, 6, 1))
    assert before.empty and list(before.columns)[:2] == ["customer_id", "customer_no"]


def test_generator_is_deterministic_idempotent_and_about_one_in_25(bank):
    from tenure.complaints.generate import _draw, complaints_generate
    from tests.factories import make_customer

    for n in range(96):
        make_customer(bank, f"G{n:07d}", f"客户{n}", "S0101" if n % 2 else "S0201")
    numbers = [f"N{n}" for n in range(100)]
    customers = pd.DataFrame(
        {
            "id": range(100),
            "customer_no": numbers,
            "branch_id": "S0101",
            "rm_id": None,
            "onboarded_on": dt.date(2020, 1, 1),
            "kinds": [["savings"]] * 100,
        }
    )
    draws = [_draw(np.random.default_rng(7), customers, 0.04, dt.date(2025, 12, 31)) for _ in range(2)]
    pd.testing.assert_frame_equal(*draws)

    first = complaints_generate(rate=0.04, seed=7, as_of=dt.date(2025, 12, 31))
    assert 4 <= first["created"] <= 6 and first["customers"] == 4
    assert complaints_generate(rate=0.04, seed=7, as_of=dt.date(2025, 12, 31))["created"] == 0
    for c in Complaint.objects.all():
        assert c.events.first().kind == "created" and c.reference.startswith("TS") and c.root_cause_id
        assert c.status in ("received", "acknowledged", "investigating") or c.resolved_at is not None
        assert c.received_at.date() < dt.date(2025, 12, 31)


def test_the_page_shows_one_table_at_a_time_with_tabs_to_the_others(history, login):
    client = login(history.staff["head_a"])
    first = client.get("/complaints/analytics/").content.decode()
    assert 'data-testid="table-tabs"' in first and 'data-testid="table-rates"' in first
    assert 'data-testid="table-kpi_staff"' not in first and "table=kpi_staff" in first
    chosen = client.get("/complaints/analytics/", {"table": "kpi_staff", "horizon": "60"}).content.decode()
    assert 'data-testid="table-kpi_staff"' in chosen and 'data-testid="table-rates"' not in chosen
    assert "horizon=60&amp;table=rates" in chosen  # the tabs keep the filters


def test_the_cached_page_follows_a_new_complaint_and_keeps_scopes_apart(history, login, file_complaint):
    """The recovery report is cached (analytics.cache) per scope and state of the complaints: a
    second view reuses it, a new complaint is on the next view, and head office's figures never
    reach a branch head."""

    def complaints(username: str) -> str:
        html = login(history.staff[username]).get("/complaints/analytics/").text  # one client: log in each time
        return re.search(r'data-testid="recovery-complaints">(\d+)<', html)[1]

    assert [complaints("head_a"), complaints("service"), complaints("head_a")] == ["3", "4", "3"]
    file_complaint("wang", severity="low", received_at=aware(2025, 6, 25, 9, 0))
    assert [complaints("head_a"), complaints("service")] == ["4", "5"]
