"""Moving customers between RMs on the book page: review, confirm, history, audit, refusals, and a
double submit that moves nothing twice (docs/book.md)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tenure.core.models import AuditEntry
from tenure.customers.models import CoreStatus, Customer, MoveReason, RmAssignment
from tenure.customers.services import customers_move
from tests.customers.book_fixtures import add_rm, book_moved, english, rm_c  # noqa: F401
from tests.factories import bank, login  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")

BOOK, MOVE = "/customers/book/", "/customers/book/move/"


def review(client, numbers, to, reason="rebalance", note="", **extra):
    return client.post(MOVE, {"customer": numbers, "to": to.pk, "reason": reason, "note": note, **extra})


def confirm_form(response) -> dict:
    """The hidden fields of the review page's confirmation form, as the browser would send them."""
    html = response.content.decode()
    form = html[html.index('action="/customers/book/move/"') :]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(value)
    return fields


def rm_of(number: str) -> str | None:
    return Customer.objects.get(customer_no=number).rm_id


def test_a_branch_head_reviews_then_confirms_a_move(bank, login, rm_c, book_moved):  # noqa: F811
    client = login(bank.staff["head_a"])
    shown = review(client, ["C0000001", "C0000002"], rm_c, reason="customer_request", note="moved house")
    assert shown.status_code == 200
    page = shown.content.decode()
    assert "王芳" in page and "王磊" in page and "rm_c" in page and "rm_a (2)" in page
    assert rm_of("C0000001") == "E101"  # the review moves nothing

    done = client.post(MOVE, confirm_form(shown))
    assert done.status_code == 302 and done.url == BOOK
    assert rm_of("C0000001") == rm_of("C0000002") == "E105"
    history = RmAssignment.objects.order_by("customer_id")
    assert [(a.customer_id, a.from_rm_id, a.to_rm_id, a.reason, a.note, a.by.username) for a in history] == [
        ("C0000001", "E101", "E105", "customer_request", "moved house", "head_a"),
        ("C0000002", "E101", "E105", "customer_request", "moved house", "head_a"),
    ]
    assert {a.core_status for a in history} == {CoreStatus.PENDING} and {a.core_rm for a in history} == {"E101"}
    (entry,) = AuditEntry.objects.filter(action="customer.rm.move")
    assert entry.actor_name == "head_a" and entry.reason == "moved house"
    assert entry.detail["count"] == 2 and entry.detail["customers"] == ["C0000001", "C0000002"]
    assert entry.detail["from"] == {"E101": 2} and entry.detail["to"] == "E105"
    assert book_moved == [(bank.staff["rm_a"], rm_c, ["C0000001", "C0000002"])]
    # The book page now counts them in rm_c's book; the 360° history names the move.
    assert re.search(r"rm_c</td>\s*<td[^>]*>朝阳支行</td>\s*<td[^>]*>2 ", client.get(BOOK).content.decode())


def test_a_double_submit_moves_nothing_twice(bank, login, rm_c, book_moved):  # noqa: F811
    client = login(bank.staff["head_a"])
    form = confirm_form(review(client, ["C0000001"], rm_c))
    assert client.post(MOVE, form).status_code == 302
    # Between the two submits someone moves the customer back: the repeated form must not undo that.
    Customer.objects.filter(customer_no="C0000001").update(rm_id="E101")
    again = client.post(MOVE, form, follow=True)
    assert "already made" in again.content.decode()
    assert rm_of("C0000001") == "E101"
    assert RmAssignment.objects.count() == 1 and AuditEntry.objects.filter(action="customer.rm.move").count() == 1
    assert len(book_moved) == 1


def test_moving_a_customer_to_the_rm_they_have_records_nothing(bank, rm_c):  # noqa: F811
    head = bank.staff["head_a"]
    customers_move(by=head, customers=[bank.customers["wang"]], to_rm=rm_c, reason="rebalance", key="k1")
    result = customers_move(
        by=head, customers=list(Customer.objects.filter(customer_no="C0000001")), to_rm=rm_c, reason="rebalance"
    )
    assert result.moved == [] and result.unchanged == ["C0000001"]
    assert RmAssignment.objects.count() == 1 and AuditEntry.objects.filter(action="customer.rm.move").count() == 1


def test_a_foreign_customer_in_the_form_is_a_404_and_audited(bank, login, rm_c):  # noqa: F811
    client = login(bank.staff["head_a"])
    response = review(client, ["C0000001", "C0000009"], rm_c, confirm="1", key="x" * 32)
    assert response.status_code == 404
    denied = AuditEntry.objects.get(action="access.denied")
    assert (denied.actor_name, denied.object_id) == ("head_a", str(bank.foreign.pk))
    assert rm_of("C0000001") == "E101" and not RmAssignment.objects.exists()
    assert review(client, ["C9999999"], rm_c).status_code == 404  # missing: 404 too, not audited
    assert AuditEntry.objects.filter(action="access.denied").count() == 1


def test_the_service_refuses_what_the_page_would_not_offer(bank, rm_c):  # noqa: F811
    head, wang, li = bank.staff["head_a"], bank.customers["wang"], bank.customers["li"]
    with pytest.raises(PermissionDenied):  # an RM may not manage books
        customers_move(by=bank.staff["rm_a"], customers=[wang], to_rm=rm_c, reason="rebalance")
    with pytest.raises(PermissionDenied):  # a customer of another branch
        customers_move(by=head, customers=[bank.foreign], to_rm=rm_c, reason="rebalance")
    with pytest.raises(ValidationError, match="active relationship manager"):  # an RM of another branch
        customers_move(by=head, customers=[wang], to_rm=bank.staff["rm_b"], reason="rebalance")
    inactive = add_rm("gone", "E106", "S0101", active=False)
    with pytest.raises(ValidationError, match="active relationship manager"):
        customers_move(by=head, customers=[wang], to_rm=inactive, reason="rebalance")
    with pytest.raises(ValidationError, match="active relationship manager"):  # a lobby manager is no RM
        customers_move(by=head, customers=[wang], to_rm=bank.staff["lobby_a"], reason="rebalance")
    with pytest.raises(ValidationError, match="李娜"):  # rm_c (朝阳支行) cannot hold 海淀支行's customer
        customers_move(by=head, customers=[wang, li], to_rm=rm_c, reason="rebalance")
    with pytest.raises(ValidationError, match="reason from the list"):
        customers_move(by=head, customers=[wang], to_rm=rm_c, reason="")
    with pytest.raises(ValidationError, match="reason from the list"):  # Tenure's own reasons are not chosen
        customers_move(by=head, customers=[wang], to_rm=rm_c, reason=MoveReason.DEACTIVATION)
    with pytest.raises(ValidationError, match="explain"):
        customers_move(by=head, customers=[wang], to_rm=rm_c, reason="other", note=" ")
    with pytest.raises(ValidationError, match="at least one"):
        customers_move(by=head, customers=[], to_rm=rm_c, reason="rebalance")
    assert not RmAssignment.objects.exists() and rm_of("C0000001") == "E101"


def test_refusals_on_the_review_page_name_the_problem(bank, login, rm_c):  # noqa: F811
    client = login(bank.staff["head_a"])
    response = review(client, ["C0000001", "C0000003"], rm_c)
    assert response.status_code == 400
    assert "李娜" in response.content.decode() and 'data-testid="confirm-move"' not in response.content.decode()
    assert review(client, ["C0000001"], bank.staff["rm_b"]).status_code == 400  # not in the head's subtree
    assert review(client, ["C0000001"], rm_c, reason="other").status_code == 400


def test_an_administrator_moves_customers_of_any_branch(bank, rm_c):  # noqa: F811
    rm_b2 = add_rm("rm_b2", "E202", "S0201")
    customers_move(by=bank.staff["admin"], customers=[bank.foreign], to_rm=rm_b2, reason="rebalance")
    assert rm_of("C0000009") == "E202"


@pytest.mark.parametrize("who", ["rm_a", "lobby_a", "analyst", "service", "compliance", "norole"])
def test_other_roles_are_refused_the_book_pages(bank, login, who, rm_c):  # noqa: F811
    client = login(bank.staff[who])
    for url in (BOOK, "/customers/book/deactivate/"):
        assert client.get(url).status_code == 403
    assert review(client, ["C0000001"], rm_c).status_code == 403
    assert AuditEntry.objects.filter(action="access.denied", actor_name=who).count() == 3
    assert rm_of("C0000001") == "E101"


def test_the_move_route_walks_with_the_every_route_test():
    """tests/web/test_every_route_is_scoped.py posts a foreign `customer` to every route: the move
    form's field carries that name, so the walk exercises its scope check."""
    from tests.web.test_every_route_is_scoped import all_routes

    names = {name for _route, name in all_routes()}
    assert {"customers:book", "customers:book_move", "customers:book_deactivate"} <= names
