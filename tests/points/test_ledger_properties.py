"""The ledger's invariants under random days of purchases and refunds, corrected re-imports,
redemptions between days and runs killed half way through a date.

After every step: each journal is two postings summing to 0, so all postings sum to 0; each
account's balance is the sum of its postings; no merchant is below 0. A merchant's net earning
(earned − reversed) is what its cumulative volume is worth, ⌊volume / yuan per point⌋ (plus
⌊capped count / transactions per point⌋ for M-WHS), or 0 when that is negative — exactly, as long
as it redeemed nothing; after a redemption, refunds may owe points it no longer has, and the carries
hold them (a carry is short of a point, or the balance is 0). Points per yuan are small here so
that a few transactions earn and reverse; validity is long enough for nothing to expire."""

from __future__ import annotations

import copy
import datetime as dt
import math
import tempfile
from collections import defaultdict
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenure.points import services
from tenure.points.models import PointsAccount, PointsJournal, PointsVolume
from tenure.points.rules import DEFAULT_RULES, rules_save
from tests.points.ledger_bank import MERCHANTS, assert_ledger_balanced, make_merchants, snapshot, txn, write_day

RULES = copy.deepcopy(DEFAULT_RULES) | {"caps": {}, "preferential_yuan_per_point": "250", "expiry_months": 120}
RULES["categories"] |= {
    "general": {"yuan_per_point": "100", "capped_txns_per_point": None},
    "wholesale": {"yuan_per_point": "100", "capped_txns_per_point": 3},
    "dining": {"yuan_per_point": "150.50", "capped_txns_per_point": None},
}
# merchant -> (yuan per point, capped transactions per point) under RULES
PER_POINT = {
    "M-GEN": (Decimal("100"), None),
    "M-PREF": (Decimal("250"), None),  # 0.05 %: preferential
    "M-WHS": (Decimal("100"), 3),
    "M-DIN": (Decimal("150.50"), None),
}
CAP_FROM = Decimal("4000.00")  # M-WHS: 0.65 % of ¥4,000.00 is its ¥26 cap
FIRST = dt.date(2026, 1, 1)


def _yuan(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda fen: Decimal(fen).scaleb(-2))


below_cap = _yuan(1, 60_000)  # up to ¥600.00
at_cap = _yuan(400_000, 420_000)  # ¥4,000.00 to ¥4,200.00
kind = st.sampled_from(["purchase", "purchase", "refund"])


def _txns(merchant: str) -> st.SearchStrategy[list]:
    amount = st.one_of(below_cap, at_cap) if merchant == "M-WHS" else below_cap
    return st.lists(st.tuples(kind, amount), max_size=4)


day_content = st.fixed_dictionaries({m: _txns(m) for m in MERCHANTS})
step = st.one_of(
    st.tuples(st.just("day"), day_content, st.none() | st.integers(0, 3)),  # optionally killed at the nth merchant
    st.tuples(st.just("redeem"), st.sampled_from(list(MERCHANTS)), st.integers(1, 8)),
    st.tuples(st.just("reimport"), st.integers(0, 20), day_content),
)


@pytest.fixture
def merchants(db):
    return make_merchants()


def _rows(content: dict[str, list]) -> list[tuple]:
    return [txn(m, str(amount), kind) for m, txns in content.items() for kind, amount in txns]


def _cumulative(days: dict[dt.date, dict]) -> dict[str, tuple[Decimal, int]]:
    """What the merchants' transactions add up to, computed here: (volume below the cap, capped count)."""
    totals = {m: [Decimal("0.00"), 0] for m in MERCHANTS}
    for content in days.values():
        for m, txns in content.items():
            for kind, amount in txns:
                sign = -1 if kind == "refund" else 1
                if m == "M-WHS" and amount >= CAP_FROM:
                    totals[m][1] += sign
                else:
                    totals[m][0] += sign * amount
    return {m: (v, c) for m, (v, c) in totals.items()}


def _net_by_kind() -> dict[str, dict[str, int]]:
    rows = PointsJournal.objects.values_list("merchant__merchant_no", "kind").annotate(points=Sum("points"))
    net: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for merchant, kind, points in rows:
        net[merchant][kind] += points
    return net


def _check(days: dict[dt.date, dict], redeemed: dict[str, int]) -> None:
    assert_ledger_balanced()
    accounts = {
        a.merchant.merchant_no: a for a in PointsAccount.objects.filter(kind="merchant").select_related("merchant")
    }
    journals = _net_by_kind()
    assert not any(j.get("expire") for j in journals.values())
    counted = dict(PointsVolume.objects.values_list("merchant__merchant_no").annotate(v=Sum("volume")))
    for merchant, (volume, count) in _cumulative(days).items():
        per_yuan, per_count = PER_POINT[merchant]
        account = accounts.get(merchant)
        balance, carry, count_carry = (
            (account.balance, account.volume_carry, account.count_carry) if account else (0, Decimal(0), 0)
        )
        # (SQLite sums decimals as floats: to the fen, as `selectors.statement` reads them.)
        assert Decimal(counted.get(merchant) or 0).quantize(Decimal("0.01")) == volume
        net = journals[merchant]["earn"] - journals[merchant]["reverse"]
        assert journals[merchant]["redeem"] == redeemed[merchant]
        assert net - redeemed[merchant] == balance
        # The carries hold exactly what was not turned into points ...
        assert (volume - carry) % per_yuan == 0
        worth = math.floor(volume / per_yuan)
        owed = math.floor(carry / per_yuan)
        if per_count:
            assert (count - count_carry) % per_count == 0
            worth += math.floor(Decimal(count) / per_count)
            owed += math.floor(Decimal(count_carry) / per_count)
        assert net == worth - owed
        # ... each short of a point, unless the balance ran out giving points back.
        short = 0 <= carry < per_yuan and (not per_count or 0 <= count_carry < per_count)
        assert short or balance == 0, (merchant, balance, carry, count_carry)
        if not redeemed[merchant]:
            assert net == max(0, worth)
        assert net >= max(0, worth)


class Killed(Exception):
    pass


def _earn_killed_at(upto: dt.date, nth: int) -> bool:
    """Earn with `_apply` failing at its nth call; True when it did fail (the date had that many changes)."""
    real, calls = services._apply, []

    def failing(*args):
        calls.append(1)
        if len(calls) > nth:
            raise Killed
        return real(*args)

    with mock.patch.object(services, "_apply", failing):
        try:
            services.earn(upto)
        except Killed:
            return True
    return False


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(steps=st.lists(step, min_size=1, max_size=6))
def test_the_ledger_stays_balanced_and_earns_what_the_volume_is_worth(merchants, steps):
    with tempfile.TemporaryDirectory() as lake, override_settings(LAKE_DIR=lake), transaction.atomic():
        rules_save(rules=copy.deepcopy(RULES))
        days: dict[dt.date, dict] = {}
        redeemed = dict.fromkeys(MERCHANTS, 0)
        for n, (action, *args) in enumerate(steps):
            if action == "day":
                content, kill_at = args
                day = FIRST + dt.timedelta(days=len(days))
                days[day] = content
                write_day(day, _rows(content))
                if kill_at is not None:
                    before = snapshot()
                    if _earn_killed_at(day, kill_at):
                        assert snapshot() == before  # nothing of the date kept
                services.earn(day)
            elif action == "reimport" and days:
                index, content = args
                day = sorted(days)[index % len(days)]
                days[day] = content
                write_day(day, _rows(content))
                services.earn(max(days))
            elif action == "redeem":
                merchant, points = args
                account = PointsAccount.objects.filter(merchant=merchants[merchant]).first()
                balance = account.balance if account else 0
                journals = PointsJournal.objects.count()
                if points > balance:
                    with pytest.raises(ValidationError):
                        services.redeem(merchants[merchant], points, reward="礼品", by=None, key=f"r{n}", day=FIRST)
                    assert PointsJournal.objects.count() == journals
                else:
                    services.redeem(merchants[merchant], points, reward="礼品", by=None, key=f"r{n}", day=FIRST)
                    redeemed[merchant] += points
                    assert PointsAccount.objects.get(pk=account.pk).balance == balance - points
            _check(days, redeemed)
        # Everything imported is earned: another run writes nothing.
        before = snapshot()
        if days:
            assert services.earn(max(days))["business_dates"] == []
        assert snapshot() == before
        transaction.set_rollback(True)
