import datetime as dt

import pytest

from tenure.customers.models import Customer
from tenure.ops.demo_staff import DEMO_LOGINS, DemoError, demo_staff_ensure
from tenure.org.models import Branch, Staff
from tenure.org.services import branch_paths_rebuild, staff_set_roles

pytestmark = pytest.mark.django_db


def _logs_in(client, username: str, password: str) -> bool:
    client.post("/accounts/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session


@pytest.fixture
def small_bank():
    Branch.objects.create(code="HO", name="总行", level="head_office")
    Branch.objects.create(code="B01", name="上海分行", level="branch", parent_id="HO")
    Branch.objects.create(code="S0101", name="浦东支行", level="sub_branch", parent_id="B01")
    branch_paths_rebuild()
    for no, size in (("E001", 1), ("E002", 3)):
        rm = Staff.objects.create(username=no, employee_no=no, home_branch_id="S0101")
        staff_set_roles(rm, ["rm"])
        for i in range(size):
            Customer.objects.create(
                customer_no=f"{no}-{i}",
                customer_type="personal",
                name="客户",
                onboarded_on=dt.date(2020, 1, 1),
                branch_id="S0101",
                rm=rm,
                updated_on=dt.date(2026, 10, 31),
            )


def test_demo_staff_only_in_demo_mode(small_bank, settings):
    settings.DEMO_MODE = False
    with pytest.raises(DemoError):
        demo_staff_ensure("pw-demo-123")


def test_demo_logins_cover_every_role_and_rm_owns_a_real_book(small_bank, settings, client):
    settings.DEMO_MODE = True
    logins = demo_staff_ensure("pw-demo-123")
    assert [x["username"] for x in logins] == [u for u, _, _ in DEMO_LOGINS]
    rm = Staff.objects.get(username="demo-rm")
    assert rm.employee_no == "E002" and rm.book.count() == 3 and rm.has_role("rm")
    assert Staff.objects.get(username="demo-branch").home_branch_id == "B01"
    assert Staff.objects.get(username="demo-lobby").home_branch_id == "S0101"
    # Idempotent: a second run keeps the same people.
    demo_staff_ensure("pw-demo-123")
    assert Staff.objects.filter(username__startswith="demo-").count() == len(DEMO_LOGINS)
    assert _logs_in(client, "demo-analyst", "pw-demo-123")


def test_demo_logins_are_refused_outside_demo_mode(small_bank, settings, client):
    settings.DEMO_MODE = True
    demo_staff_ensure("pw-demo-123")
    settings.DEMO_MODE = False
    assert not _logs_in(client, "demo-analyst", "pw-demo-123")
