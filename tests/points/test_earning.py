"""Earning points from the transactions partitions, by hand: what each date posts, the carries, the
capped counts, refunds reversing, a reversal limited by the balance after a redemption, idempotence,
crash recovery, corrected re-imports, expiry, the rules and the statement.

The bank is `ledger_bank.py`'s (default rules: ¥10,000 a point, preferential ¥25,000, dining
¥15,000, wholesale 5 capped transactions a point). Three business dates; M-PREF redeems its point
between the first and the second."""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from tenure.core.models import AuditEntry
from tenure.customers.models import Merchant
from tenure.ingest.models import ImportedFile
from tenure.points import services
from tenure.points.models import PointsDay, PointsJournal, PointsRules
from tenure.points.rules import DEFAULT_RULES, Rules, active_rules, rules_save, validate_rules
from tests.points.ledger_bank import (
    FIRST_READING,
    accounts,
    assert_ledger_balanced,
    journals,
    make_merchants,
    snapshot,
    txn,
    volumes,
    write_day,
)

D1, D2, D3 = dt.date(2026, 1, 30), dt.date(2026, 1, 31), dt.date(2026, 2, 2)

DAY1 = [
    txn("M-GEN", "6000.00"),
    txn("M-GEN", "7000.00"),  # M-GEN: ¥13,000 → 1 point, carry ¥3,000.00
    txn(None, "50000.00"),  # not at a merchant
    txn("M-GEN", "90000.00", "transfer_out"),  # other transaction types count for nothing
    txn("M-GEN", "60000.00", "fee"),
    txn("M-GEN", "80000.00", "purchase", "C"),  # a purchase crediting the card, a refund debiting it: not card volume
    txn("M-GEN", "70000.00", "refund", "D"),
    txn("M-PREF", "30000.00"),  # 0.05 % < 0.08 %: ¥25,000 a point → 1 point, carry ¥5,000.00
    # M-WHS at 0.65 %, cap ¥26: ¥4,000.00 × 0.65 % = ¥26.00 reaches the cap, ¥3,999.99 does not.
    txn("M-WHS", "4000.00"),
    txn("M-WHS", "5000.00"),
    txn("M-WHS", "12000.00"),
    txn("M-WHS", "4500.00"),
    txn("M-WHS", "8000.00"),
    txn("M-WHS", "9000.00"),  # 6 capped → 1 point, count carry 1
    txn("M-WHS", "3999.99"),
    txn("M-WHS", "3000.00"),
    txn("M-WHS", "3000.01"),  # ¥10,000.00 not capped → 1 point, carry ¥0.00; M-WHS: 2 points
    txn("M-DIN", "14999.99"),  # dining, ¥15,000 a point: 0 points, carry ¥14,999.99
    txn("M-GHOST", "99999.00"),  # a merchant the bank does not know
]
DAY2 = [
    txn("M-DIN", "0.01"),  # carry ¥15,000.00 → 1 point, carry ¥0.00
    txn("M-GEN", "3000.01", "refund"),  # carry ¥3,000.00 − ¥3,000.01 = −¥0.01 → 1 point back, carry ¥9,999.99
    txn("M-WHS", "5000.00", "refund"),
    txn("M-WHS", "4500.00", "refund"),  # 2 capped refunds: count carry 1 − 2 = −1 → 1 point back, count carry 4
    txn("M-WHS", "100.00"),  # carry ¥100.00, no point
    # M-PREF redeemed its point: carry ¥5,000 − ¥30,000 = −¥25,000 is a point to give back, but its
    # balance is 0 → nothing reversed, carry −¥25,000.00 (recovered from later volume).
    txn("M-PREF", "30000.00", "refund"),
]
DAY3 = [
    txn("M-PREF", "60000.00"),  # carry −¥25,000 + ¥60,000 = ¥35,000 → 1 point, carry ¥10,000.00
    txn("M-GEN", "10000.01"),  # carry ¥9,999.99 + ¥10,000.01 = ¥20,000.00 → 2 points, carry ¥0.00
    *[txn("M-WHS", amount) for amount in ("4000.00", "4000.00", "4000.00", "7000.00", "8000.00", "20000.00")],
    # M-WHS: count carry 4 + 6 = 10 → 2 points, count carry 0
    txn("M-DIN", "20000.00", "fee"),  # nothing for M-DIN
]

EXPECTED_JOURNALS = [
    (D1, "M-GEN", "earn", 1),
    (D1, "M-PREF", "earn", 1),
    (D1, "M-PREF", "redeem", 1),
    (D1, "M-WHS", "earn", 2),
    (D2, "M-DIN", "earn", 1),
    (D2, "M-GEN", "reverse", 1),
    (D2, "M-WHS", "reverse", 1),
    (D3, "M-GEN", "earn", 2),
    (D3, "M-PREF", "earn", 1),
    (D3, "M-WHS", "earn", 2),
]
# merchant -> (balance, volume carry, capped count carry)
EXPECTED_ACCOUNTS = {
    "M-GEN": (2, "0.00", 0),  # 1 − 1 + 2
    "M-PREF": (1, "10000.00", 0),  # 1 − 1 (redeemed) + 1; net earned 2 = ⌊¥60,000 / ¥25,000⌋
    "M-WHS": (3, "100.00", 0),  # 2 − 1 + 2
    "M-DIN": (1, "0.00", 0),
}
EXPECTED_VOLUMES = {
    (D1, "M-GEN"): ("13000.00", 0),
    (D1, "M-PREF"): ("30000.00", 0),
    (D1, "M-WHS"): ("10000.00", 6),
    (D1, "M-DIN"): ("14999.99", 0),
    (D2, "M-DIN"): ("0.01", 0),
    (D2, "M-GEN"): ("-3000.01", 0),
    (D2, "M-WHS"): ("100.00", -2),
    (D2, "M-PREF"): ("-30000.00", 0),
    (D3, "M-PREF"): ("60000.00", 0),
    (D3, "M-GEN"): ("10000.01", 0),
    (D3, "M-WHS"): ("0.00", 6),
}


@pytest.fixture
def merchants(db, settings, tmp_path):
    settings.LAKE_DIR = tmp_path / "lake"
    return make_merchants()


@pytest.fixture
def three_days(merchants):
    """The three dates imported, earned up to D1, M-PREF's point redeemed, then earned to D3."""
    for day, rows in ((D1, DAY1), (D2, DAY2), (D3, DAY3)):
        write_day(day, rows)
    first = services.earn(D1)
    services.redeem(merchants["M-PREF"], 1, reward="店铺贴纸", by=None, key="pref-1", day=D1)
    second = services.earn(D3)
    return merchants, first, second


def _earn_json(*args: str) -> dict:
    out = StringIO()
    call_command("points", "earn", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


# --- earning by hand -------------------------------------------------------------------------------


def test_three_dates_earn_reverse_and_carry_as_computed_by_hand(three_days):
    _, first, second = three_days
    assert first == {"business_dates": ["2026-01-30"], "earned": 4, "reversed": 0, "expired": 0, "journals": 3}
    # D2: M-DIN +1, M-GEN −1, M-WHS −1; D3: M-GEN +2, M-PREF +1, M-WHS +2.
    assert second == {
        "business_dates": ["2026-01-31", "2026-02-02"],
        "earned": 6,
        "reversed": 2,
        "expired": 0,
        "journals": 6,
    }
    assert journals() == EXPECTED_JOURNALS
    assert accounts() == EXPECTED_ACCOUNTS
    assert volumes() == EXPECTED_VOLUMES  # M-GHOST and the non-merchant transaction: nowhere
    assert dict(PointsDay.objects.values_list("business_date", "merchants")) == {D1: 4, D2: 4, D3: 3}
    assert set(PointsDay.objects.values_list("rules_version", flat=True)) == {1}
    # Issued 10, given back 2, redeemed 1: the merchants hold 7.
    assert services.ledger_totals() == {"merchant": 7, "issued": -8, "redeemed": 1}
    assert_ledger_balanced()


def test_journals_say_what_they_were_earned_from(three_days):
    reversal = PointsJournal.objects.get(kind="reverse", merchant__merchant_no="M-GEN")
    assert reversal.business_date == D2 and reversal.rules_version == 1
    assert reversal.detail == {"volume": "-3000.01", "capped_count": 0}
    capped = PointsJournal.objects.get(kind="reverse", merchant__merchant_no="M-WHS")
    assert capped.detail == {"volume": "100.00", "capped_count": -2}
    redemption = PointsJournal.objects.get(kind="redeem")
    assert redemption.memo == "店铺贴纸" and redemption.rules_version is None


def test_a_second_earn_writes_nothing(three_days):
    before = snapshot()
    assert services.earn(D3) == {"business_dates": [], "earned": 0, "reversed": 0, "expired": 0, "journals": 0}
    assert _earn_json()["business_dates"] == []
    assert snapshot() == before


def test_earn_stops_at_upto_and_takes_the_rest_later(merchants):
    for day, rows in ((D1, DAY1), (D2, DAY2)):
        write_day(day, rows)
    assert services.earn(D1)["business_dates"] == ["2026-01-30"]
    assert services.earn(D1)["business_dates"] == []
    assert services.earn(D2)["business_dates"] == ["2026-01-31"]


def test_a_partition_not_vouched_for_is_not_earned(merchants):
    write_day(D1, DAY1)
    # The file on disk is not the one the import committed (an import killed half way).
    ImportedFile.objects.filter(business_date=D1).update(sha256="0" * 64)
    assert services.earn(D1)["business_dates"] == []
    assert not PointsJournal.objects.exists()


# --- a refund after a redemption, and both carries on one merchant -----------------------------------


def test_a_reversal_is_limited_by_the_balance_and_recovered_from_later_volume(three_days):
    # After D2 M-PREF had 0 points and a carry of −¥25,000.00: nothing was reversed on D2 ...
    assert not PointsJournal.objects.filter(merchant__merchant_no="M-PREF", business_date=D2).exists()
    # ... and D3's ¥60,000 first made up the ¥25,000 before earning 1 point, not 2.
    assert accounts()["M-PREF"] == (1, "10000.00", 0)


WA, WB, WC = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)
_WHS_20000 = ["3999.99"] * 5 + ["0.05"]  # ¥20,000.00 below the cap
_WHS_CAPPED = ["4000.00"] * 5  # 5 capped transactions


@pytest.mark.parametrize("order", ["same day", "capped first", "refunds first"])
def test_a_refund_can_take_back_points_earned_by_the_other_carry_in_any_order(merchants, order):
    """M-WHS earns 2 points by volume and 1 by capped count, redeems all 3, then refunds the ¥20,000
    and makes 5 more capped sales and a ¥1 sale. Whatever the order of those, it has earned
    ⌊¥1 / ¥10,000⌋ + ⌊10 / 5⌋ = 2 points net but redeemed 3: 0 points, and the volume carry keeps
    the point still owed (¥1 − ¥10,000 = −¥9,999.00). A day of purchases only never gives points back."""
    write_day(WA, [txn("M-WHS", a) for a in _WHS_20000 + _WHS_CAPPED])
    assert services.earn(WA)["earned"] == 3
    services.redeem(merchants["M-WHS"], 3, reward="POS 机具", by=None, key="whs", day=WA)
    refunds = [txn("M-WHS", a, "refund") for a in _WHS_20000]
    capped = [txn("M-WHS", a) for a in _WHS_CAPPED]
    one = [txn("M-WHS", "1.00")]
    days = {
        "same day": (refunds + capped, one),
        "capped first": (capped, refunds + one),
        "refunds first": (refunds, capped + one),
    }[order]
    write_day(WB, days[0])
    write_day(WC, days[1])
    services.earn(WC)
    assert accounts()["M-WHS"] == (0, "-9999.00", 0)
    posted = {(d, k): p for d, m, k, p in journals() if d > WA}
    # Capped first: the point is earned on WB and taken back with the refunds on WC. Otherwise the
    # refunds' deficit absorbs it on the day it is earned: no journal at all.
    assert posted == ({(WB, "earn"): 1, (WC, "reverse"): 1} if order == "capped first" else {})
    assert_ledger_balanced()


# --- crash recovery ---------------------------------------------------------------------------------


def _crash_on_second_merchant(monkeypatch):
    """`_apply` fails for the second merchant of D3, after the first one's journal was posted."""
    real, calls = services._apply, []

    def failing(account, change, rules, day, tag):
        if day == D3:
            calls.append(account.merchant.merchant_no)
            if len(calls) == 2:
                raise RuntimeError("killed")
        return real(account, change, rules, day, tag)

    monkeypatch.setattr(services, "_apply", failing)


def _crash_in_expiry(monkeypatch):
    """`expire` fails on D3, after every merchant of the date was posted."""
    real = services.expire

    def failing(day, rules, tag):
        if day == D3:
            raise RuntimeError("killed")
        return real(day, rules, tag)

    monkeypatch.setattr(services, "expire", failing)


@pytest.mark.parametrize("crash", [_crash_on_second_merchant, _crash_in_expiry])
def test_a_date_that_fails_half_way_keeps_nothing_and_a_rerun_completes_it(merchants, monkeypatch, crash):
    for day, rows in ((D1, DAY1), (D2, DAY2), (D3, DAY3)):
        write_day(day, rows)
    services.earn(D1)
    services.redeem(merchants["M-PREF"], 1, reward="店铺贴纸", by=None, key="pref-1", day=D1)
    with monkeypatch.context() as patch:
        crash(patch)
        with pytest.raises(RuntimeError, match="killed"):
            services.earn(D3)
    # D2 was committed on its own; nothing of D3: no journal, no volume, no day, carries as after D2.
    assert set(PointsDay.objects.values_list("business_date", flat=True)) == {D1, D2}
    assert journals() == [j for j in EXPECTED_JOURNALS if j[0] < D3]
    assert not any(day == D3 for day, _ in volumes())
    assert accounts() == {
        "M-GEN": (0, "9999.99", 0),
        "M-PREF": (0, "-25000.00", 0),
        "M-WHS": (1, "100.00", 4),
        "M-DIN": (1, "0.00", 0),
    }
    assert_ledger_balanced()
    # Run again: exactly what the uninterrupted run gives.
    assert services.earn(D3) == {
        "business_dates": ["2026-02-02"],
        "earned": 5,
        "reversed": 0,
        "expired": 0,
        "journals": 3,
    }
    assert journals() == EXPECTED_JOURNALS
    assert accounts() == EXPECTED_ACCOUNTS
    assert volumes() == EXPECTED_VOLUMES
    assert_ledger_balanced()


# --- corrected re-imports ---------------------------------------------------------------------------

# D1 corrected: M-GEN's ¥7,000 purchase was not one; M-WHS had one more capped sale; M-DIN ¥15,000 more.
DAY1_CORRECTED = [r for r in DAY1 if r[:2] != ("M-GEN", "7000.00")] + [
    txn("M-WHS", "6000.00"),
    txn("M-DIN", "15000.00"),
]


def test_a_corrected_reimport_posts_only_the_difference(three_days):
    original = snapshot()
    write_day(D1, DAY1_CORRECTED)
    # M-GEN: carry ¥0.00 − ¥7,000 → 1 point back, carry ¥3,000.00 (in all ¥13,000.00: 1 point).
    # M-DIN: carry ¥0.00 + ¥15,000 → 1 point (in all ¥30,000.00: 2 points).
    # M-WHS: count carry 0 + 1 → no point (in all 11 capped: 2 points, and ¥10,100 below the cap: 1).
    # M-PREF: unchanged, skipped.
    assert services.earn(D3) == {
        "business_dates": ["2026-01-30"],
        "earned": 1,
        "reversed": 1,
        "expired": 0,
        "journals": 2,
    }
    assert accounts() == {
        "M-GEN": (1, "3000.00", 0),
        "M-PREF": (1, "10000.00", 0),
        "M-WHS": (3, "100.00", 1),
        "M-DIN": (2, "0.00", 0),
    }
    assert journals() == sorted(EXPECTED_JOURNALS + [(D1, "M-DIN", "earn", 1), (D1, "M-GEN", "reverse", 1)])
    assert volumes() == EXPECTED_VOLUMES | {
        (D1, "M-GEN"): ("6000.00", 0),
        (D1, "M-WHS"): ("10000.00", 7),
        (D1, "M-DIN"): ("29999.99", 0),
    }
    assert_ledger_balanced()
    assert services.earn(D3)["business_dates"] == []

    # The correction turns out wrong: the original file is imported again (its digest comes back).
    write_day(D1, DAY1)
    assert services.earn(D3) == {
        "business_dates": ["2026-01-30"],
        "earned": 1,
        "reversed": 1,
        "expired": 0,
        "journals": 2,
    }
    assert accounts() == original["accounts"] and volumes() == original["volumes"]
    assert PointsDay.objects.get(business_date=D1).source_digest == original["days"][D1]
    assert_ledger_balanced()


# --- expiry -----------------------------------------------------------------------------------------


def _one_month_rules() -> Rules:
    rules = copy.deepcopy(DEFAULT_RULES) | {"expiry_months": 1}
    return rules_save(rules=rules, note="一个月有效")


def test_points_expire_oldest_first_after_the_validity(merchants):
    """Valid one month. M-GEN earns 3 on 01-10 and 2 on 01-20, redeems 1, earns 4 on 02-15 and
    gives 1 back on 02-20. Every debit is taken from the oldest points."""
    assert _one_month_rules().version == 2
    keep_alive = [txn("M-DIN", "1.00")]
    plan = {
        dt.date(2026, 1, 10): [txn("M-GEN", "30000.00")],  # +3
        dt.date(2026, 1, 20): [txn("M-GEN", "20000.00")],  # +2
        dt.date(2026, 2, 9): keep_alive,  # earned by 01-09: none
        dt.date(2026, 2, 10): keep_alive,  # earned by 01-10: 3, used 1 (redeemed) → 2 expire
        dt.date(2026, 2, 15): [txn("M-GEN", "40000.00")],  # +4; earned by 01-15: 3, used 3 → none
        # −1; then earned by 01-20: 5, used 1 + 2 + 1 (the reversal takes an old point) → 1 expires
        dt.date(2026, 2, 20): [txn("M-GEN", "10000.00", "refund")],
        dt.date(2026, 2, 25): keep_alive,  # earned by 01-25: 5, used 5 → none
        dt.date(2026, 3, 20): keep_alive,  # earned by 02-20: 9, used 5 → 4 expire
    }
    for day, rows in plan.items():
        write_day(day, rows)
    assert services.earn(dt.date(2026, 1, 20))["earned"] == 5
    services.redeem(merchants["M-GEN"], 1, reward="红包", by=None, key="gen-1", day=dt.date(2026, 1, 25))
    summary = services.earn(dt.date(2026, 3, 20))
    assert summary["expired"] == 7 and summary["earned"] == 4 and summary["reversed"] == 1
    expired = [(d, p) for d, m, k, p in journals() if k == "expire"]
    assert expired == [(dt.date(2026, 2, 10), 2), (dt.date(2026, 2, 20), 1), (dt.date(2026, 3, 20), 4)]
    assert accounts()["M-GEN"][0] == 0
    assert PointsJournal.objects.get(kind="expire", business_date=dt.date(2026, 2, 10)).detail == {
        "earned_by": "2026-01-10"
    }
    assert set(PointsDay.objects.values_list("rules_version", flat=True)) == {2}
    assert services.ledger_totals() == {"merchant": 0, "issued": -8, "redeemed": 1, "expired": 7}
    assert_ledger_balanced()


def test_months_before_keeps_to_the_end_of_a_shorter_month():
    assert services._months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert services._months_before(dt.date(2024, 3, 31), 1) == dt.date(2024, 2, 29)
    assert services._months_before(dt.date(2026, 1, 15), 24) == dt.date(2024, 1, 15)


# --- redemption -------------------------------------------------------------------------------------


def test_redeem_checks_the_balance_and_is_idempotent_on_its_key(three_days):
    merchants = three_days[0]
    gen = merchants["M-GEN"]  # 2 points
    with translation.override("en"):
        with pytest.raises(ValidationError, match="M-GEN has 2 points; 3 cannot be redeemed"):
            services.redeem(gen, 3, reward="x", by=None, key="k1")
        with pytest.raises(ValidationError, match="at least 1 point"):
            services.redeem(gen, 0, reward="x", by=None, key="k2")
        with pytest.raises(ValidationError, match="exchanged for"):
            services.redeem(gen, 1, reward="  ", by=None, key="k3")
        with pytest.raises(ValidationError, match="has 0 points"):  # no account at all yet
            services.redeem(_new_merchant(), 1, reward="x", by=None, key="k4")
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="积分"):
        services.redeem(gen, 3, reward="x", by=None, key="k1")
    first = services.redeem(gen, 2, reward="  水杯 ", by=None, key="k5", day=D3)
    again = services.redeem(gen, 2, reward="水杯", by=None, key="k5", day=D3)
    assert again.pk == first.pk and first.memo == "水杯"
    assert accounts()["M-GEN"][0] == 0
    entries = AuditEntry.objects.filter(action="points.redeem")
    assert [(e.object_id, e.reason, e.detail) for e in entries] == [
        ("M-GEN", "水杯", {"points": 2}),
        ("M-PREF", "店铺贴纸", {"points": 1}),
    ]
    assert_ledger_balanced()


def _new_merchant():
    from tenure.customers.models import Merchant

    return Merchant.objects.create(
        merchant_no="M-NEW",
        name="新商户",
        category="general",
        discount_rate=Decimal("0.6"),
        branch_id="B01",
        opened_on=D1,
        updated_on=D1,
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers: PostgreSQL")
@pytest.mark.serial
@pytest.mark.django_db(transaction=True)
def test_a_redemption_while_earning_cannot_make_a_balance_negative(settings, tmp_path, monkeypatch):
    """The earning run reads a merchant's balance to limit a reversal: a redemption committing in
    between must wait for it (the account row is locked), or the reversal would use a stale balance."""
    settings.LAKE_DIR = tmp_path / "lake"
    merchants = make_merchants()
    write_day(D1, [txn("M-GEN", "30000.00")])  # 3 points
    services.earn(D1)
    write_day(D2, [txn("M-GEN", "30000.00", "refund")])  # 3 points back
    read, redeemed = threading.Event(), threading.Event()
    real, outcome = services._apply, {}

    def slow_apply(*args):
        read.set()
        redeemed.wait(timeout=2)  # the redemption commits now unless it waits for the lock
        return real(*args)

    def redeem_meanwhile():
        read.wait(timeout=10)
        try:
            services.redeem(merchants["M-GEN"], 3, reward="水杯", by=None, key="race", day=D2)
            outcome["redeemed"] = True
        except ValidationError:
            outcome["redeemed"] = False
        finally:
            redeemed.set()
            connection.close()

    monkeypatch.setattr(services, "_apply", slow_apply)
    other = threading.Thread(target=redeem_meanwhile)
    other.start()
    services.earn(D2)
    other.join(timeout=30)
    assert outcome == {"redeemed": False}  # it waited, then found 0 points
    assert accounts()["M-GEN"] == (0, "0.00", 0)
    assert_ledger_balanced()


# --- the rules --------------------------------------------------------------------------------------


def _rules(**changes) -> dict:
    rules = copy.deepcopy(DEFAULT_RULES)
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = rules
        for key in parents:
            node = node[key]
        if value is KeyError:
            del node[last]
        else:
            node[last] = value
    return rules


@pytest.mark.parametrize(
    "rules, field",
    [
        (_rules(categories__general=KeyError), "categories"),
        (_rules(categories__extra={"yuan_per_point": "1", "capped_txns_per_point": None}), "categories"),
        (_rules(categories__general__yuan_per_point="0"), "categories.general.yuan_per_point"),
        (_rules(categories__dining__yuan_per_point="abc"), "categories.dining.yuan_per_point"),
        (_rules(categories__dining__yuan_per_point=None), "categories.dining.yuan_per_point"),
        (_rules(categories__dining__yuan_per_point="Infinity"), "categories.dining.yuan_per_point"),
        (_rules(categories__general__yuan_per_point="12.345"), "categories.general.yuan_per_point"),
        (_rules(categories__wholesale__capped_txns_per_point=0), "categories.wholesale.capped_txns_per_point"),
        (_rules(categories__wholesale__capped_txns_per_point=2.5), "categories.wholesale.capped_txns_per_point"),
        (_rules(categories__wholesale__capped_txns_per_point=True), "categories.wholesale.capped_txns_per_point"),
        (_rules(categories__livelihood="25000"), "categories.livelihood"),
        (_rules(preferential_below="-0.08"), "preferential_below"),
        (_rules(preferential_yuan_per_point=KeyError), "preferential_yuan_per_point"),
        (_rules(expiry_months=0), "expiry_months"),
        (_rules(expiry_months=121), "expiry_months"),
        (_rules(expiry_months="24"), "expiry_months"),
        ([DEFAULT_RULES], "rules"),
    ],
)
def test_validate_rules_names_the_field(rules, field):
    with pytest.raises(ValidationError) as error:
        validate_rules(rules)
    assert error.value.messages[0].startswith(f"{field}:"), error.value.messages


def test_the_default_rules_are_valid_and_read_as_documented():
    """The whole table of docs/points.md, the rows after its page break included."""
    validate_rules(copy.deepcopy(DEFAULT_RULES))
    rules = Rules(1, copy.deepcopy(DEFAULT_RULES))
    assert rules.yuan_per_point("general", Decimal("0.6000")) == 10000
    assert rules.yuan_per_point("general", Decimal("0.0800")) == 10000  # 0.08 % is not below 0.08 %
    assert rules.yuan_per_point("dining", Decimal("0.0799")) == 60000  # preferential, whatever the category
    assert rules.capped_txns_per_point("wholesale") == 5 and rules.capped_txns_per_point("general") is None
    # A cap with a row of its own: wholesale at ¥30 and cars & property at ¥40 (after the page break).
    assert rules.yuan_per_point("wholesale", Decimal("0.5"), Decimal("26.00")) == 10000
    assert rules.yuan_per_point("wholesale", Decimal("0.5"), Decimal("30.00")) == 25000
    assert rules.capped_txns_per_point("wholesale", Decimal("30.00")) == 5
    assert rules.capped_txns_per_point("auto_realty", Decimal("35.00")) == 15
    assert rules.capped_txns_per_point("auto_realty", Decimal("40.00")) == 3
    assert rules.capped_txns_per_point("auto_realty", Decimal("80.00")) == 15  # no row: the category's
    assert rules.expiry_months == 24


def test_a_cap_row_that_cannot_work_is_refused():
    rules = copy.deepcopy(DEFAULT_RULES)
    rules["caps"]["wholesale"]["30"]["capped_txns_per_point"] = 0
    with pytest.raises(ValidationError, match="caps.wholesale.30.capped_txns_per_point"):
        validate_rules(rules)
    rules["caps"] = {"shoes": {}}
    with pytest.raises(ValidationError, match="caps: an object of categories"):
        validate_rules(rules)


def test_rules_given_as_json_numbers_compare_exactly():
    """A rules file may give numbers rather than strings: 0.08 is then a float, and a merchant at
    exactly 0.0800 % must still not be preferential."""
    rules = json.loads(json.dumps(DEFAULT_RULES).replace('"0.0800"', "0.08").replace('"10000"', "10000"))
    validate_rules(rules)
    read = Rules(2, rules)
    assert read.yuan_per_point("general", Decimal("0.0800")) == 10000
    assert read.yuan_per_point("general", Decimal("0.0799")) == 60000


def test_rules_save_creates_the_next_version_and_audits(db):
    assert active_rules().version == 1  # the defaults, created on first use
    saved = rules_save(rules=_rules(expiry_months=12), note="缩短有效期")
    assert saved.version == 2 and active_rules() == saved and active_rules().expiry_months == 12
    assert list(PointsRules.objects.values_list("version", "note")) == [(2, "缩短有效期"), (1, "")]
    entry = AuditEntry.objects.get(action="points.rules_save")
    assert (entry.object_type, entry.object_id, entry.reason) == ("PointsRules", "2", "缩短有效期")
    with pytest.raises(ValidationError):
        rules_save(rules=_rules(expiry_months=0))
    assert active_rules().version == 2 and PointsRules.objects.count() == 2


def test_rules_cli_refuses_a_bad_file_naming_the_field(db, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_rules(categories__wholesale__capped_txns_per_point=0)), encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.json: categories\.wholesale\.capped_txns_per_point"):
        call_command("points", "rules", "--set", str(bad), "--note", "x")
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.json: rules"):
        call_command("points", "rules", "--set", str(bad))
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.json"):
        call_command("points", "rules", "--set", str(bad))
    with pytest.raises(CommandError, match=r"missing\.json"):
        call_command("points", "rules", "--set", str(tmp_path / "missing.json"))
    assert not PointsRules.objects.filter(version__gt=1).exists()

    good = tmp_path / "good.json"
    good.write_text(json.dumps(_rules(expiry_months=36)), encoding="utf-8")
    out = StringIO()
    call_command("points", "rules", "--set", str(good), "--note", "延长", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["version"] == 2 and printed["rules"]["expiry_months"] == 36
    out = StringIO()
    call_command("points", "rules", "--json", stdout=out)
    assert json.loads(out.getvalue())["version"] == 2


def test_earning_uses_the_rules_active_when_the_date_is_processed(merchants):
    write_day(D1, [txn("M-GEN", "13000.00")])
    write_day(D2, [txn("M-GEN", "13000.00")])
    services.earn(D1)  # ¥10,000 a point: 1, carry ¥3,000
    rules_save(rules=_rules(categories__general__yuan_per_point="4000"), note="翻倍")
    services.earn(D2)  # ¥4,000 a point: ¥16,000 → 4, carry ¥0
    assert accounts()["M-GEN"] == (5, "0.00", 0)
    assert dict(PointsJournal.objects.values_list("business_date", "rules_version")) == {D1: 1, D2: 2}


# --- the statement ----------------------------------------------------------------------------------


def _statement(merchant: str, month: str) -> dict:
    out = StringIO()
    call_command("points", "statement", "--merchant", merchant, "--month", month, "--json", stdout=out)
    return json.loads(out.getvalue())


def _signed(line: dict) -> int:
    return line["points"] if line["kind"] == "earn" else -line["points"]


def test_statements_add_up_month_by_month(three_days):
    pref_jan = _statement("M-PREF", "2026-01")
    assert pref_jan == {
        "merchant": "M-PREF",
        "month": "2026-01",
        "opening": 0,
        "earn": 1,
        "reverse": 0,
        "redeem": 1,
        "expire": 0,
        "closing": 0,
        "volume": "0.00",
        "capped_count": 0,
        "lines": [
            {"date": "2026-01-30", "kind": "earn", "points": 1, "memo": ""},
            {"date": "2026-01-30", "kind": "redeem", "points": 1, "memo": "店铺贴纸"},
        ],
    }
    whs_jan = _statement("M-WHS", "2026-01")
    assert (whs_jan["opening"], whs_jan["earn"], whs_jan["reverse"], whs_jan["closing"]) == (0, 2, 1, 1)
    assert (whs_jan["volume"], whs_jan["capped_count"]) == ("10100.00", 4)
    for merchant, (balance, _, _) in EXPECTED_ACCOUNTS.items():
        months = [_statement(merchant, m) for m in ("2025-12", "2026-01", "2026-02", "2026-03")]
        assert months[0]["opening"] == months[0]["closing"] == 0 and not months[0]["lines"]
        for month, following in zip(months, months[1:], strict=False):
            assert following["opening"] == month["closing"]
        for month in months:
            assert month["closing"] == month["opening"] + sum(_signed(line) for line in month["lines"])
            assert month["closing"] == (
                month["opening"] + month["earn"] - month["reverse"] - month["redeem"] - month["expire"]
            )
        assert months[-1]["closing"] == balance


def test_statement_of_an_unknown_merchant_is_refused(db):
    with pytest.raises(CommandError, match="M-NONE"):
        call_command("points", "statement", "--merchant", "M-NONE")


def test_a_merchant_capped_at_30_yuan_earns_by_its_own_row_of_the_whole_table(merchants):
    """M-WHS (cap ¥26) earns ¥10,000 a point; the same shop capped at ¥30 earns by the row after the
    page break (¥25,000 a point, 5 capped transactions a point) once the whole table is in force."""
    rules_save(rules=copy.deepcopy(DEFAULT_RULES), note="积分表补全")
    shop = merchants["M-WHS"]
    thirty = Merchant.objects.create(
        merchant_no="M-WHS30", name="M-WHS30", category="wholesale", discount_rate=Decimal("0.6500"), capped=True,
        cap_amount=Decimal("30.00"), branch_id=shop.branch_id, opened_on=shop.opened_on, updated_on=shop.updated_on,
    )  # fmt: skip
    write_day(D1, [txn("M-WHS", "25000.00"), txn(thirty.merchant_no, "25000.00")])  # fees over both caps:
    write_day(D2, [txn("M-WHS", "3000.00"), txn(thirty.merchant_no, "3000.00")] * 5)  # … and 5 × ¥3,000 below
    services.earn(D2)
    # M-WHS: 1 capped transaction (no point), ¥15,000 not capped → 1 point at ¥10,000.
    # M-WHS30: 1 capped (no point), ¥15,000 not capped → no point at ¥25,000.
    assert accounts()["M-WHS"] == (1, "5000.00", 1)
    assert accounts()["M-WHS30"] == (0, "15000.00", 1)


def test_a_bank_on_the_first_reading_is_moved_to_the_whole_table_once(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tenure.points.migrations.0002_whole_earning_table")
    assert migration.WHOLE_TABLE == DEFAULT_RULES  # the migration's copy is today's reading
    PointsRules.objects.create(version=1, rules=copy.deepcopy(FIRST_READING))
    migration.whole_table(apps, None)
    migration.whole_table(apps, None)
    assert active_rules().version == 2 and active_rules().rules == DEFAULT_RULES
    assert PointsRules.objects.count() == 2
