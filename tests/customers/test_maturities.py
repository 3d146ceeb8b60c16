"""`maturities_between`: own time-deposit and wealth maturities of a scoped set of customers, soonest first,
with the latest month-end balance — what the 360° page shows and the workbench turns into tasks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tenure.customers.models import Account, Customer, Product
from tenure.customers.selectors import maturities_between
from tenure.org.scoping import customers_for
from tests.factories import MONTH_ENDS, balance_of, bank, lake  # noqa: F401

START = dt.date(2026, 2, 1)


def _account(account_id: str, customer: Customer, product: str, maturity: dt.date | None, **extra) -> Account:
    return Account.objects.create(
        account_id=account_id,
        customer=customer,
        product_id=product,
        opened_on=dt.date(2025, 2, 1),
        status=extra.pop("status", "active"),
        maturity_date=maturity,
        updated_on=MONTH_ENDS[-1],
        **extra,
    )


def test_own_maturities_in_the_window_soonest_first_with_their_balance(lake):  # noqa: F811
    Product.objects.create(
        code="P-TD12", name="一年期定期", product_type="time_deposit", risk_rating="R1", term_months=12
    )
    wang, li, zhao = lake.customers["wang"], lake.customers["li"], lake.customers["zhao"]
    Account.objects.filter(account_id="A-wang-wm").update(maturity_date=START + dt.timedelta(days=20))
    deposit = _account("A-li-td", li, "P-TD12", START, rate=Decimal("1.9"))
    _account("A-li-td-late", li, "P-TD12", START + dt.timedelta(days=31))  # after the window
    _account("A-li-td-closed", li, "P-TD12", START + dt.timedelta(days=3), status="closed", closed_on=START)
    Account.objects.filter(account_id="A-wang-loan").update(maturity_date=START + dt.timedelta(days=5))  # a loan
    _account("A-zhao-td", zhao, "P-TD12", START + dt.timedelta(days=2))

    found = maturities_between(Customer.objects.all(), START, START + dt.timedelta(days=30))

    assert [(m.account.account_id, m.date) for m in found] == [
        ("A-li-td", START),
        ("A-zhao-td", START + dt.timedelta(days=2)),
        ("A-wang-wm", START + dt.timedelta(days=20)),
    ]
    wealth = found[-1]
    assert (wealth.customer, wealth.product.code, wealth.amount) == (wang, "P-WM", balance_of("A-wang-wm", 12))
    assert found[0].account == deposit and found[0].amount is None  # no balance in the lake yet


def test_the_callers_scope_is_the_scope(lake):  # noqa: F811
    Product.objects.create(
        code="P-TD12", name="一年期定期", product_type="time_deposit", risk_rating="R1", term_months=12
    )
    _account("A-zhao-td", lake.customers["zhao"], "P-TD12", START)
    _account("A-wang-td", lake.customers["wang"], "P-TD12", START)
    mine = customers_for(lake.staff["rm_a"])
    assert [m.account.account_id for m in maturities_between(mine, START, START)] == ["A-wang-td"]
    assert maturities_between(Customer.objects.none(), START, START) == []
