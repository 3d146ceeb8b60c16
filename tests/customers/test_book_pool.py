"""The unassigned pool and the book page: who is in the pool and why, book sizes per RM, filters,
pagination, distributing the pool to one RM (docs/book.md)."""

from __future__ import annotations

import re

import pytest

from tenure.customers.book import pool_condition
from tenure.customers.models import Customer, RmAssignment
from tenure.customers.services import customers_move
from tests.analytics.helpers import customer_value
from tests.customers.book_fixtures import add_rm, book_moved, english, rm_c  # noqa: F401
from tests.factories import bank, login, make_customer  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")

BOOK, MOVE = "/customers/book/", "/customers/book/move/"


def pool_numbers() -> list[str]:
    return sorted(Customer.objects.filter(pool_condition()).values_list("customer_no", flat=True))


def test_the_pool_is_no_rm_an_inactive_rm_or_an_rm_of_another_branch(bank):  # noqa: F811
    make_customer(bank, "C0000101", "孙一", "S0101")  # no RM
    add_rm("left", "E190", "S0101", active=False)
    make_customer(bank, "C0000102", "孙二", "S0101", rm="E190")  # RM deactivated
    make_customer(bank, "C0000103", "孙三", "S0101", rm="E102")  # rm_a2 works at 海淀支行
    assert pool_numbers() == ["C0000101", "C0000102", "C0000103"]


def test_the_page_shows_book_sizes_the_pool_and_why_each_is_in_it(bank, login, rm_c):  # noqa: F811
    make_customer(bank, "C0000101", "孙一", "S0101")
    make_customer(bank, "C0000103", "孙三", "S0101", rm="E102")
    make_customer(bank, "C0000104", "周四", "S0201")  # another branch: not the head's pool
    client = login(bank.staff["head_a"])
    page = client.get(BOOK).content.decode()
    assert re.search(r'data-testid="pool-size">2 ', page)
    sizes = dict(re.findall(r"<td data-label=\"[^\"]+\">(rm_\w+)</td>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>(\d+) ", page))
    assert sizes == {"rm_a": "2", "rm_a2": "1", "rm_c": "0"}  # rm_b (上海分行) is not the head's
    pool = client.get(BOOK, {"rm": "pool"}).content.decode()
    assert "孙一" in pool and "孙三" in pool and "王芳" not in pool and "周四" not in pool
    assert "No RM" in pool and "RM of another branch" in pool
    book = client.get(BOOK, {"rm": "E101"}).content.decode()
    assert "王芳" in book and "王磊" in book and "李娜" not in book


def test_the_counts_follow_a_move_at_once(bank, login, rm_c):  # noqa: F811
    """The page keeps its counts per data version: a move is a new version, so the next view counts again."""
    pooled = make_customer(bank, "C0000101", "孙一", "S0101")
    client = login(bank.staff["head_a"])
    assert re.search(r'data-testid="pool-size">1 ', client.get(BOOK).content.decode())
    customers_move(by=bank.staff["head_a"], customers=[pooled], to_rm=rm_c, reason="rebalance")
    page = client.get(BOOK).content.decode()
    assert re.search(r'data-testid="pool-size">0 ', page)
    assert re.search(r"<td data-label=\"[^\"]+\">rm_c</td>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>1 ", page)


def test_filters_by_tier_and_branch_and_pages_of_fifty(bank, login):  # noqa: F811
    for n in range(60):
        make_customer(bank, f"C00002{n:02d}", f"吴{n:02d}", "S0102")
    customer_value("C0000003", "S0102", asset_tier="platinum", aum=500_000)
    client = login(bank.staff["head_a"])
    first = client.get(BOOK, {"branch": "S0102"}).content.decode()
    assert first.count('name="customer"') == 50 and "王芳" not in first
    assert 'href="?branch=S0102&amp;page=2" rel="next"' in first
    second = client.get(BOOK, {"branch": "S0102", "page": 2}).content.decode()
    assert second.count('name="customer"') == 11  # 60 new + 李娜
    assert "王芳" not in client.get(BOOK, {"branch": "S0201"}).content.decode()  # not the head's branch: ignored…
    assert client.get(BOOK, {"branch": "S0201"}).content.decode().count('name="customer"') == 50  # …shows all
    platinum = client.get(BOOK, {"tier": "platinum"}).content.decode()
    assert platinum.count('name="customer"') == 1 and "李娜" in platinum


def test_the_pool_is_distributed_to_one_rm_with_all_of_the_filter(bank, login, rm_c, book_moved):  # noqa: F811
    for n in range(3):
        make_customer(bank, f"C000011{n}", f"郑{n}", "S0101")
    client = login(bank.staff["head_a"])
    shown = client.post(MOVE, {"rm": "pool", "everyone": "1", "to": rm_c.pk, "reason": "pool"})
    assert shown.status_code == 200 and shown.content.decode().count('name="customer"') == 3
    fields = dict(re.findall(r'<input type="hidden" name="(key|to|reason)" value="([^"]*)"', shown.content.decode()))
    done = client.post(MOVE, {**fields, "customer": ["C0000110", "C0000111", "C0000112"], "confirm": "1", "rm": "pool"})
    assert done.status_code == 302 and done.url == f"{BOOK}?rm=pool"
    assert pool_numbers() == []
    assert set(RmAssignment.objects.values_list("from_rm_id", "to_rm_id", "reason")) == {(None, "E105", "pool")}
    assert book_moved == [(None, rm_c, ["C0000110", "C0000111", "C0000112"])]
    empty = client.get(BOOK, {"rm": "pool"}).content.decode()
    assert 'data-testid="no-customers"' in empty
