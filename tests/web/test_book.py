"""One definition of an RM's book: the RM's home page, the branch head's team table, the customer
list and the loyalty page count the same customers (issue 21: 421, 441 and 483 on the demo bank)."""

from __future__ import annotations

import re

from tenure.customers.models import Customer
from tenure.customers.selectors import customer_list
from tests.loyalty.test_dashboard import outputs  # noqa: F401


def team_size(html: str, username: str) -> int:
    table = html[html.index('data-testid="team"') :]
    match = re.search(rf"<td[^>]*>{username}</td><td[^>]*>[^<]*</td>\s*<td class=\"num\"[^>]*>(\d+)</td>", table)
    assert match, html
    return int(match.group(1))


def test_every_page_counts_the_same_book(outputs, login):  # noqa: F811
    # Customers assigned to an RM of another sub-branch: in the records, outside that RM's reach.
    Customer.objects.filter(customer_no="C0000003").update(rm_id="E101")  # 李娜 of S0102 → rm_a (S0101)
    Customer.objects.filter(customer_no="C0000002").update(rm_id="E102")  # 王磊 of S0101 → rm_a2 (S0102)
    rm, rm2 = outputs.staff["rm_a"], outputs.staff["rm_a2"]
    assert [c.customer_no for c in customer_list(user=rm)] == ["C0000001"]
    assert 'data-testid="kpi-customers">1<' in login(rm).get("/").content.decode()
    assert 'data-testid="loyalty-customers">1<' in login(rm).get("/loyalty/").content.decode()
    team = login(outputs.staff["head_a"]).get("/").content.decode()
    assert team_size(team, "rm_a") == 1
    assert team_size(team, "rm_a2") == 0
    assert list(customer_list(user=rm2)) == []
