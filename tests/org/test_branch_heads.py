"""One answer to "who is the branch head of this branch", used by churn alerts, complaint
escalation and survey callbacks: an active head, at the branch or the nearest branch above it."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.churn.alerts import _routing
from tenure.complaints.escalation import escalate_due
from tenure.complaints.models import Complaint
from tenure.org.models import Branch
from tenure.org.selectors import branch_head_for, branch_heads
from tenure.org.services import branch_paths_rebuild, staff_set_roles
from tests.analytics.helpers import customer_value


@pytest.fixture
def deep(bank):
    """A counter (S010101) two levels below the branch head's branch B01, with a customer of its own."""
    Branch.objects.create(code="S010101", parent_id="S0101", name="朝阳支行营业部", level="sub_branch")
    branch_paths_rebuild()
    customer = bank.customers["wang"]
    customer.branch_id = "S010101"
    customer.save(update_fields=["branch"])
    return customer


def test_the_nearest_active_head_above_a_deep_branch(bank, deep):
    head = bank.staff["head_a"]
    assert branch_head_for("S010101") == head
    assert branch_head_for(bank.branches["S0102"]) == head
    assert branch_head_for("S0201") is None  # no head anywhere above it
    head.is_active = False
    head.save(update_fields=["is_active"])
    assert branch_head_for("S010101") is None
    assert "S0101" not in branch_heads()


def test_the_head_of_the_branch_itself_comes_before_one_above(bank, deep):
    local = bank.staff["rm_a"]
    staff_set_roles(local, ["branch_head"])
    assert branch_head_for("S010101") == local  # S0101 is nearer than B01
    assert branch_head_for("S0102") == bank.staff["head_a"]


def test_churn_alerts_of_key_customers_go_to_the_active_head_above_a_deep_branch(bank, deep):
    customer_value(deep.customer_no, "S010101", asset_tier="diamond")
    routing = _routing([deep.customer_no], ["diamond"])
    assert routing.loc[deep.customer_no, "branch_head_id"] == bank.staff["head_a"].pk
    bank.staff["head_a"].is_active = False
    bank.staff["head_a"].save(update_fields=["is_active"])
    assert _routing([deep.customer_no], ["diamond"]).branch_head_id.isna().all()  # never a deactivated head


def test_complaints_escalate_to_the_active_head_above_a_deep_branch(bank, deep):
    received = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    complaint = Complaint.objects.create(
        customer=deep,
        branch_id="S010101",
        channel="counter",
        severity="medium",
        description="等候太久",
        received_at=received,
        ack_due_at=received,
        resolve_due_at=received,
    )
    escalate_due(now=received + dt.timedelta(days=1))
    complaint.refresh_from_db()
    assert complaint.escalated_to == bank.staff["head_a"]
