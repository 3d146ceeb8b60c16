"""Deactivating a member of staff hands their book (and, through the hooks, their open tasks) to a
named successor in one audited step (docs/book.md)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tenure.core.models import AuditEntry
from tenure.customers.models import Customer, MoveReason, RmAssignment
from tenure.org.models import Staff
from tenure.org.services import STAFF_DEACTIVATED, staff_deactivate
from tests.customers.book_fixtures import book_moved, english, rm_c  # noqa: F401
from tests.factories import bank, login, make_customer  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")

PAGE = "/customers/book/deactivate/"


def active(staff: Staff) -> bool:
    return Staff.objects.get(pk=staff.pk).is_active


def rms() -> dict[str, str | None]:
    return dict(Customer.objects.values_list("customer_no", "rm_id"))


def test_review_then_confirm_hands_the_book_over_in_one_audited_step(bank, login, rm_c, book_moved):  # noqa: F811
    make_customer(bank, "C0000120", "冯一", "S0102", rm="E101")  # rm_a's, but in 海淀支行: rm_c cannot hold it
    client = login(bank.staff["head_a"])
    leaver = bank.staff["rm_a"]
    form = {"staff": leaver.pk, "successor": rm_c.pk, "reason": "left the bank"}
    review = client.post(PAGE, form).content.decode()
    assert 'data-testid="deactivate-review"' in review and active(leaver)
    numbers = re.findall(r"<dd[^>]*>(\d+) ", review)
    assert numbers[:3] == ["3", "2", "1"]  # book, to the successor, to the pool

    done = client.post(PAGE, {**form, "confirm": "1"})
    assert done.status_code == 302 and not active(leaver)
    now = rms()
    assert now["C0000001"] == now["C0000002"] == "E105" and now["C0000120"] is None
    assert set(RmAssignment.objects.values_list("customer_id", "from_rm_id", "to_rm_id", "reason", "note")) == {
        ("C0000001", "E101", "E105", MoveReason.DEACTIVATION, "left the bank"),
        ("C0000002", "E101", "E105", MoveReason.DEACTIVATION, "left the bank"),
        ("C0000120", "E101", None, MoveReason.DEACTIVATION, "left the bank"),
    }
    (entry,) = AuditEntry.objects.filter(action="staff.deactivate")
    assert (entry.actor_name, entry.object_id, entry.reason) == ("head_a", "E101", "left the bank")
    assert entry.detail["successor"] == "E105" and entry.detail["customers"] == 2 and entry.detail["to_pool"] == 1
    assert entry.detail["customer_nos"] == ["C0000001", "C0000002"] and entry.detail["pooled_nos"] == ["C0000120"]
    assert sorted(book_moved, key=lambda m: m[1] is None) == [
        (leaver, rm_c, ["C0000001", "C0000002"]),
        (leaver, None, ["C0000120"]),
    ]
    # A second confirm (double submit) changes nothing.
    again = client.post(PAGE, {**form, "confirm": "1"}, follow=True)
    assert again.status_code == 200 and AuditEntry.objects.filter(action="staff.deactivate").count() == 1
    assert RmAssignment.objects.count() == 3
    # The leaver's session no longer works: their next request goes to the log-in page.
    assert login(leaver).get("/").status_code == 302


def test_every_receiver_runs_inside_the_step_and_one_failing_undoes_it(bank, rm_c):  # noqa: F811
    calls = []

    def tasks_follow(sender, *, staff, successor, by, reason, **kwargs):
        calls.append((staff.username, successor.username, Staff.objects.get(pk=staff.pk).is_active))
        return {"tasks": 4}

    STAFF_DEACTIVATED.connect(tasks_follow, dispatch_uid="test.tasks")
    try:
        handed = staff_deactivate(by=bank.staff["head_a"], staff=bank.staff["rm_a"], successor=rm_c, reason="retired")
    finally:
        STAFF_DEACTIVATED.disconnect(dispatch_uid="test.tasks")
    assert calls == [("rm_a", "rm_c", False)] and handed["tasks"] == 4 and handed["customers"] == 2
    assert AuditEntry.objects.get(action="staff.deactivate").detail["tasks"] == 4

    def broken(sender, **kwargs):
        raise ValidationError("tasks could not move")

    STAFF_DEACTIVATED.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(ValidationError):
            staff_deactivate(by=bank.staff["head_a"], staff=rm_c, successor=bank.staff["lobby_a"], reason="retired")
    finally:
        STAFF_DEACTIVATED.disconnect(dispatch_uid="test.broken")
    assert active(rm_c) and rms()["C0000001"] == "E105"  # nothing of the failed step stayed


def test_refusals(bank, rm_c):  # noqa: F811
    head, rm_a = bank.staff["head_a"], bank.staff["rm_a"]
    with pytest.raises(PermissionDenied):  # an RM may not deactivate anyone
        staff_deactivate(by=bank.staff["rm_a2"], staff=rm_a, successor=rm_c, reason="left the bank")
    with pytest.raises(PermissionDenied):  # staff of another branch
        staff_deactivate(by=head, staff=bank.staff["rm_b"], successor=rm_c, reason="left the bank")
    with pytest.raises(PermissionDenied):  # a branch head deactivates RMs and lobby managers, not themselves
        staff_deactivate(by=head, staff=head, successor=rm_c, reason="left the bank")
    with pytest.raises(ValidationError, match="successor"):  # a successor of another branch
        staff_deactivate(by=head, staff=rm_a, successor=bank.staff["rm_b"], reason="left the bank")
    with pytest.raises(ValidationError, match="successor"):
        staff_deactivate(by=head, staff=rm_a, successor=rm_a, reason="left the bank")
    with pytest.raises(ValidationError, match="relationship manager"):  # a book needs an RM
        staff_deactivate(by=head, staff=rm_a, successor=bank.staff["lobby_a"], reason="left the bank")
    with pytest.raises(ValidationError, match="reason"):
        staff_deactivate(by=head, staff=rm_a, successor=rm_c, reason="  ")
    assert active(rm_a) and rms()["C0000001"] == "E101" and not RmAssignment.objects.exists()
    # A lobby manager keeps no book: any active colleague of the subtree may take over their tasks.
    staff_deactivate(by=head, staff=bank.staff["lobby_a"], successor=rm_c, reason="moved to head office")
    assert not active(bank.staff["lobby_a"])
    # Head office may deactivate a branch head.
    staff_deactivate(by=bank.staff["admin"], staff=head, successor=bank.staff["rm_a"], reason="retired")
    assert not active(head)


def test_the_page_refuses_staff_out_of_scope_with_an_audited_404(bank, login, rm_c):  # noqa: F811
    client = login(bank.staff["head_a"])
    page = client.get(PAGE).content.decode()
    assert "rm_a" in page and "rm_b" not in page and "analyst" not in page
    response = client.post(PAGE, {"staff": bank.staff["rm_b"].pk, "successor": rm_c.pk, "reason": "left the bank"})
    assert response.status_code == 404
    denied = AuditEntry.objects.get(action="access.denied")
    assert (denied.object_type, denied.object_id) == ("staff", str(bank.staff["rm_b"].pk))
    assert active(bank.staff["rm_b"])
    successor_is_lobby = client.post(
        PAGE, {"staff": bank.staff["rm_a"].pk, "successor": bank.staff["lobby_a"].pk, "reason": "x" * 8}
    )
    assert 'data-testid="deactivate-errors"' in successor_is_lobby.content.decode()
    assert client.post(PAGE, {"reason": "left"}).status_code == 400
