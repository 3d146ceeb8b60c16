"""The hand-written analytics bank (tests/analytics/bank.py) with the DB rows pages need:
named branches B1/B2 under head office, staff of each relevant role, and two customers."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from tenure.customers.models import Customer
from tenure.org.models import Branch, Staff
from tenure.org.services import branch_paths_rebuild, staff_set_roles

STAFF = {
    "analyst": ("HO", "analyst"),
    "admin": ("HO", "admin"),
    "head_b1": ("B1", "branch_head"),
    "rm_b1": ("B1", "rm"),
}


@pytest.fixture
def site(bank, key_file):
    for code, parent, name, level in [
        ("HO", None, "总行", "head_office"),
        ("B1", "HO", "北京分行", "branch"),
        ("B2", "HO", "上海分行", "branch"),
    ]:
        Branch.objects.create(code=code, parent_id=parent, name=name, level=level)
    branch_paths_rebuild()
    staff = {}
    for n, (username, (branch, role)) in enumerate(STAFF.items()):
        staff[username] = Staff.objects.create(username=username, home_branch_id=branch, employee_no=f"E{n}")
        staff_set_roles(staff[username], [role])
    customers = {
        no: Customer.objects.create(
            customer_no=no,
            customer_type="personal",
            name=f"客户{no}",
            branch_id=branch,
            onboarded_on=dt.date(2020, 1, 1),
            updated_on=dt.date(2025, 4, 30),
        )
        for no, branch in (("C1", "B1"), ("C3", "B2"))
    }
    return SimpleNamespace(staff=staff, customers=customers)
