"""The RM history partial the 360° page includes (`{% load customers_book %}{% rm_history c %}`) and the
menu link to the book page."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from tenure.customers.models import Customer, RmAssignment
from tenure.customers.services import customers_move
from tenure.org.services import staff_deactivate
from tests.customers.book_fixtures import english, rm_c  # noqa: F401
from tests.factories import bank  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")
PARTIAL = Template("{% load customers_book %}{% rm_history customer %}")


def render(customer: Customer) -> str:
    return PARTIAL.render(Context({"customer": customer}))


def test_the_history_names_who_moved_whom_why_and_where_core_banking_stands(bank, rm_c):  # noqa: F811
    wang = bank.customers["wang"]
    assert "No change of RM recorded" in render(wang)
    head = bank.staff["head_a"]
    customers_move(by=head, customers=[wang], to_rm=rm_c, reason="customer_request", note="lives nearer")
    staff_deactivate(by=head, staff=rm_c, successor=bank.staff["rm_a"], reason="left the bank")
    html = render(wang)
    assert html.index("Staff member deactivated") < html.index("At the customer&#x27;s request: lives nearer")
    assert "rm_c" in html and "rm_a" in html and "head_a" in html
    assert "Confirmed by the core-banking extract" in html  # back with rm_a, whom the core names
    assert "Followed by another move in Tenure" in html
    RmAssignment.objects.filter(customer=wang).update(core_status="pending", core_disagrees_on="2026-01-28")
    assert "Still the previous RM in core banking" in render(wang)


def test_the_menu_link_shows_to_those_who_may_open_the_page(bank):  # noqa: F811
    nav = Template("{% load customers_book %}{% book_nav %}")
    for who, shown in (("head_a", True), ("admin", True), ("rm_a", False), ("analyst", False)):
        request = RequestFactory().get("/customers/book/")
        request.user = bank.staff[who]
        assert ('href="/customers/book/"' in nav.render(Context({"request": request}))) is shown, who
