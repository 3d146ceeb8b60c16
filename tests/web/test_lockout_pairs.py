"""Lock-out by (username, client IP) pair (issue 22, item 8): one person behind a branch's shared
address cannot lock out the branch, and typing a colleague's name cannot lock them out everywhere."""

from __future__ import annotations

from tests.factories import PASSWORD
from tests.web.test_security import attempt

BRANCH_NAT = "10.20.0.1"


def test_failures_for_one_user_do_not_lock_another_on_the_same_ip(bank, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "rm_a", "wrong", ip=BRANCH_NAT)
    assert attempt(client, "rm_a", PASSWORD, ip=BRANCH_NAT).status_code == 429  # the pair is locked
    assert attempt(client, "rm_a2", PASSWORD, ip=BRANCH_NAT).status_code == 302  # a colleague, same address


def test_the_same_user_from_another_ip_is_not_locked(bank, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "rm_a", "wrong", ip=BRANCH_NAT)
    assert attempt(client, "rm_a", PASSWORD, ip="10.20.0.2").status_code == 302


def test_many_names_from_one_ip_lock_none_of_them_elsewhere_or_there(bank, client, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"nobody{n}", "wrong", ip=BRANCH_NAT)
    assert attempt(client, "rm_b", PASSWORD, ip=BRANCH_NAT).status_code == 302
