"""The queues page, its figures against a direct DuckDB query, scoping, the target and the task step.

A hand-written lake: one business date (2026-01-31) of tickets at S0101, S0102 and S0201 of the
tiny bank; Wang Fang (C0000001, S0101) is a diamond customer, Li Na (C0000003) a standard one.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tenure import lake as lake_api
from tenure.core.models import AuditEntry
from tenure.engagement.models import Source, Task
from tenure.queues import compute, selectors
from tenure.queues.models import QueueTargetRules
from tenure.queues.rules import active_target
from tenure.queues.services import long_waits_to_tasks
from tests.analytics.helpers import customer_value
from tests.factories import _register

DAY = dt.date(2026, 1, 31)
WAITS = {  # (branch, customer, issued, minutes to call or None: walked away, service minutes)
    "S0101": [
        ("C0000001", dt.datetime(2026, 1, 5, 9, 10), 25, 10),  # Monday: the diamond customer waits long
        ("", dt.datetime(2026, 1, 5, 9, 20), 5, 4),
        ("", dt.datetime(2026, 1, 5, 12, 5), 14, 6),
        ("C0000003", dt.datetime(2026, 1, 6, 12, 30), 30, 8),
        ("", dt.datetime(2026, 1, 6, 15, 0), None, None),
        ("C0000001", dt.datetime(2026, 1, 20, 10, 0), 3, 12),
    ],
    "S0102": [
        ("C0000003", dt.datetime(2026, 1, 7, 9, 0), 40, 5),
        ("", dt.datetime(2026, 1, 7, 9, 30), 2, 3),
    ],
    "S0201": [
        ("C0000009", dt.datetime(2026, 1, 8, 11, 0), 16, 7),
        ("", dt.datetime(2026, 1, 8, 11, 15), 1, 2),
    ],
}


def _table(waits: dict[str, list]) -> pa.Table:
    rows = []
    for branch, tickets in waits.items():
        for n, (customer, issued, wait, service) in enumerate(tickets):
            called = issued + dt.timedelta(minutes=wait) if wait is not None else None
            finished = called + dt.timedelta(minutes=service) if called else None
            rows.append((branch, f"A{n + 1:03d}", "cash", customer or None, issued, called, finished))
    names = ("branch_code", "ticket_no", "service_type", "customer_no", "issued_at", "called_at", "finished_at")
    types = (pa.string(),) * 4 + (pa.timestamp("s"),) * 3
    return pa.table({n: pa.array([r[i] for r in rows], t) for i, (n, t) in enumerate(zip(names, types, strict=True))})


@pytest.fixture
def tickets(bank):
    _register("queue_tickets", DAY, _table(WAITS))
    customer_value("C0000001", "S0101", asset_tier="diamond", value_level="key")
    customer_value("C0000003", "S0102")
    return bank


def _direct(sql: str) -> list[tuple]:
    con = duckdb.connect()
    path = lake_api.partition_file("queue_tickets", DAY)
    view = (
        "CREATE VIEW t AS SELECT *, epoch(called_at) - epoch(issued_at) AS w, epoch(finished_at) - epoch(called_at)"
        f" AS s FROM read_parquet('{path}')"
    )
    con.execute(view)
    return con.execute(sql).fetchall()


def test_figures_agree_with_a_direct_duckdb_query(tickets):
    result, target = selectors.analysis(tickets.staff["admin"], dt.date(2026, 1, 1), None)

    assert target == 15
    ((n, p50, p90, sp90, within, walked),) = _direct(
        "SELECT count(*), quantile_cont(w, 0.5) / 60, quantile_cont(w, 0.9) / 60, quantile_cont(s, 0.9) / 60,"
        " count(*) FILTER (WHERE w <= 900) / count(*), count(*) - count(called_at) FROM t"
    )
    total = result.total
    assert (total["tickets"], total["walked"]) == (n, walked) == (10, 1)
    assert total["p50_wait"] == pytest.approx(p50) and total["p90_wait"] == pytest.approx(p90)
    assert total["p90_service"] == pytest.approx(sp90) and total["within"] == pytest.approx(within) == 0.5
    heat = _direct("SELECT isodow(issued_at) - 1, hour(issued_at), avg(w) / 60, count(*) FROM t GROUP BY 1, 2")
    assert sorted(result.heat) == sorted((d, h, pytest.approx(a), c) for d, h, a, c in heat if a is not None)
    assert (0, 9, pytest.approx(15.0), 2) in result.heat  # Monday 09:00: 25 and 5 minutes
    branches = {r["branch_code"]: r for r in result.branches}
    assert branches["S0102"]["p50_wait"] == pytest.approx(21.0)  # 40 and 2 minutes
    tiers = {r["tier"]: r for r in result.tiers}
    assert tiers["diamond"]["tickets"] == 2 and tiers["diamond"]["p50_wait"] == pytest.approx(14.0)
    assert result.key_vs_others["key"]["tickets"] == 2 and result.key_vs_others["others"]["tickets"] == 2


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=7200), min_size=1, max_size=40), st.integers(1, 60))
def test_percentiles_and_share_match_numpy(tmp_path, waits, target):
    issued = dt.datetime(2026, 3, 2, 9)
    table = pa.table(
        {
            "branch_code": ["S1"] * len(waits),
            "service_type": ["cash"] * len(waits),
            "customer_no": pa.nulls(len(waits), pa.string()),
            "issued_at": pa.array([issued] * len(waits), pa.timestamp("s")),
            "called_at": pa.array([issued + dt.timedelta(seconds=w) for w in waits], pa.timestamp("s")),
            "finished_at": pa.array([issued + dt.timedelta(seconds=w + 60) for w in waits], pa.timestamp("s")),
        }
    )
    path = tmp_path / "t.parquet"
    import pyarrow.parquet as pq

    pq.write_table(table, path)
    result = compute.analyse(
        [path], issued, issued + dt.timedelta(days=1), branch_codes=None, target_minutes=target, threads=1
    )
    minutes = np.array(waits) / 60
    assert result.total["p50_wait"] == pytest.approx(np.percentile(minutes, 50))
    assert result.total["p90_wait"] == pytest.approx(np.percentile(minutes, 90))
    assert result.total["within"] == pytest.approx(np.mean(np.array(waits) <= target * 60))


def test_scope_a_branch_head_sees_only_the_subtree(tickets, login):
    head = tickets.staff["head_a"]  # B01: S0101 and S0102, not S0201
    result, _ = selectors.analysis(head, dt.date(2026, 1, 1), None)
    assert {r["branch_code"] for r in result.branches} == {"S0101", "S0102"} and result.total["tickets"] == 8

    client = login(head)
    assert client.get("/queues/?branch=S0201").status_code == 404
    page = client.get("/queues/").content.decode()
    assert "branch-S0101" in page and "branch-S0201" not in page

    lobby = tickets.staff["lobby_a"]  # S0101 only
    result, _ = selectors.analysis(lobby, dt.date(2026, 1, 1), None)
    assert {r["branch_code"] for r in result.branches} == {"S0101"}


def test_a_branch_head_of_another_branch_sees_nothing(tickets):
    from tenure.org.models import Branch, Staff
    from tenure.org.services import branch_paths_rebuild, staff_set_roles

    Branch.objects.create(code="B03", parent_id="HO", name="广州分行", level="branch")
    branch_paths_rebuild()
    other = Staff.objects.create(username="head_c", home_branch_id="B03", employee_no="E301")
    staff_set_roles(other, ["branch_head"])
    result, _ = selectors.analysis(other, dt.date(2026, 1, 1), None)
    assert result.total["tickets"] == 0 and result.branches == []


def test_monthly_waits_for_other_pages(tickets):
    waits = selectors.monthly_waits(["B01"], ["2025-12", "2026-01"])
    assert waits["2025-12"]["tickets"] == 0 and waits["2025-12"]["p50_wait_minutes"] is None
    january = waits["2026-01"]
    assert january["tickets"] == 8 and january["target_minutes"] == 15
    assert january["within_target_share"] == pytest.approx(4 / 8)  # 5, 14, 3, 2 minutes
    assert selectors.monthly_waits(None, ["2026-01"])["2026-01"]["tickets"] == 10


def test_page_and_export_for_head_office(tickets, login):
    client = login(tickets.staff["analyst"])
    page = client.get("/queues/")
    assert page.status_code == 200 and b"queue-heat" in page.content
    export = client.get("/queues/queues.xlsx?month=2026-01")
    assert export.status_code == 200
    book = load_workbook(BytesIO(export.content))
    sheet = book.worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(row[0] == "朝阳支行" and row[1] == 6 for row in values)  # names, numbers as numbers
    assert AuditEntry.objects.filter(action="queues.export").count() == 1
    assert login(tickets.staff["rm_a"]).get("/queues/").status_code == 403


def test_long_waits_of_key_customers_become_lobby_tasks_once(tickets, login):
    first = long_waits_to_tasks(DAY)
    again = long_waits_to_tasks(DAY)

    assert first["tasks_created"] == 1 and again["tasks_created"] == 0
    task = Task.objects.get(source=Source.LONG_WAIT)
    assert task.customer_id == "C0000001" and task.owner == tickets.staff["lobby_a"]
    assert task.params["minutes"] == 25 and task.params["branch"] == "S0101"
    page = login(tickets.staff["lobby_a"]).get("/queues/?month=2026-01").content.decode()
    assert 'data-testid="queue-long-waits"' in page and "王芳" in page
    assert long_waits_to_tasks(dt.date(2025, 12, 31))["skipped"]


def test_without_a_lobby_manager_the_branch_head_gets_the_task(tickets):
    customer_value("C0000009", "S0201", asset_tier="black_gold")
    tickets.staff["lobby_a"].is_active = False
    tickets.staff["lobby_a"].save()

    long_waits_to_tasks(DAY)

    owners = dict(Task.objects.filter(source=Source.LONG_WAIT).values_list("customer_id", "owner__username"))
    assert owners == {"C0000001": "head_a", "C0000009": None}  # no head above S0201 in the tiny bank


def test_target_edit_is_versioned_audited_and_admin_only(tickets, login):
    assert login(tickets.staff["analyst"]).post("/queues/target/", {"minutes": "10", "note": "x"}).status_code == 403
    client = login(tickets.staff["admin"])
    refused = client.post("/queues/target/", {"minutes": "0", "note": "too strict"})
    assert refused.status_code == 400 and active_target().minutes == 15
    assert client.post("/queues/target/", {"minutes": "10", "note": ""}).status_code == 400

    assert client.post("/queues/target/", {"minutes": "10", "note": "Head office standard"}).status_code == 302

    assert active_target().minutes == 10 and QueueTargetRules.objects.count() == 2
    entry = AuditEntry.objects.get(action="queues.target_save")
    assert entry.actor == tickets.staff["admin"] and entry.detail["rules"] == {"target_minutes": 10}
    assert selectors.monthly_waits(None, ["2026-01"])["2026-01"]["within_target_share"] == pytest.approx(4 / 10)
