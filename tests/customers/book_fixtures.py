"""What the book tests share: a second RM in 朝阳支行 (S0101) to move customers to, and a recorder of
`BOOK_MOVED`."""

from __future__ import annotations

import pytest

from tenure.customers.services import BOOK_MOVED
from tenure.org.models import Staff
from tenure.org.services import staff_set_roles
from tests.factories import english, password_hash  # noqa: F401 (english: re-exported for the book tests)


def add_rm(username: str, employee_no: str, branch: str, *, active: bool = True) -> Staff:
    staff = Staff.objects.create(
        username=username,
        password=password_hash(),
        home_branch_id=branch,
        employee_no=employee_no,
        full_name=username,
        is_active=active,
    )
    staff_set_roles(staff, ["rm"])
    return staff


@pytest.fixture
def rm_c(bank):
    """Another RM of 朝阳支行 (S0101): can hold rm_a's customers, not 海淀支行's."""
    staff = add_rm("rm_c", "E105", "S0101")
    bank.staff["rm_c"] = staff
    return staff


@pytest.fixture
def book_moved():
    """Every `BOOK_MOVED` sent during the test, as (from, to, customer numbers)."""
    seen: list[tuple] = []

    def receiver(sender, *, from_staff, to_staff, customer_nos, by, **kwargs):
        seen.append((from_staff, to_staff, sorted(customer_nos)))

    BOOK_MOVED.connect(receiver, dispatch_uid="test.book_moved")
    yield seen
    BOOK_MOVED.disconnect(dispatch_uid="test.book_moved")
