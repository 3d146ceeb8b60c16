"""Four merchants of the tiny bank (tests/factories.py) with hand-posted points, for the page and API tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tenure.customers.models import Merchant
from tenure.points import services
from tenure.points.models import PointsJournal

Kind = PointsJournal.Kind
JAN, FEB = dt.date(2026, 1, 15), dt.date(2026, 2, 10)


def merchant(no: str, name: str, branch: str, category: str = "general", rate: str = "0.3800") -> Merchant:
    return Merchant.objects.create(
        merchant_no=no,
        name=name,
        category=category,
        discount_rate=Decimal(rate),
        branch_id=branch,
        opened_on=dt.date(2020, 1, 1),
        updated_on=FEB,
    )


def post(m: Merchant, kind: str, points: int, day: dt.date) -> PointsJournal:
    """One journal as the daily run would write it (no acting staff member)."""
    return services._post(services.merchant_account(m), kind, points, day, f"test:{kind}:{m.merchant_no}:{day}")


@pytest.fixture
def shops(bank):
    """M-A1 (朝阳支行, 120 points), M-A2 (海淀支行, wholesale, no points), M-A3 (朝阳支行, dining, 30 points),
    M-B1 (浦东支行, 500 points: foreign to everyone under 北京分行)."""
    shops = {
        "a1": merchant("M-A1", "朝阳便利店", "S0101"),
        "a2": merchant("M-A2", "海淀批发部", "S0102", category="wholesale", rate="0.0500"),
        "a3": merchant("M-A3", "望京火锅", "S0101", category="dining", rate="1.2500"),
        "b1": merchant("M-B1", "浦东超市", "S0201"),
    }
    post(shops["a1"], Kind.EARN, 120, JAN)
    post(shops["a3"], Kind.EARN, 30, FEB)
    post(shops["b1"], Kind.EARN, 500, FEB)
    return shops
