"""`tenure points earn` as the daily run calls it: the documented JSON summary, a second run that
finds nothing to do, the default date, and a bank that has no merchants (yet)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tenure.points.models import PointsDay, PointsJournal
from tests.analytics.bank import write_bank
from tests.points.ledger_bank import accounts, make_merchants, txn, write_day

D1, D2 = dt.date(2026, 1, 30), dt.date(2026, 1, 31)
KEYS = {"business_dates", "earned", "reversed", "expired", "journals", "upto"}


def _run(*argv: str) -> dict:
    out = StringIO()
    call_command(*argv, "--json", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.fixture
def lake(db, settings, tmp_path):
    settings.LAKE_DIR = tmp_path / "lake"
    settings.LAKE_DIR.mkdir()
    return settings.LAKE_DIR


@pytest.fixture
def two_days(lake):
    make_merchants()
    write_day(D1, [txn("M-GEN", "25000.00"), txn("M-DIN", "15000.00")])  # 2 + 1 points
    write_day(D2, [txn("M-GEN", "10000.00", "refund")])  # carry ¥5,000 − ¥10,000 → 1 point back


def test_earn_prints_the_documented_keys_and_a_second_run_finds_nothing(two_days):
    first = _run("points", "earn")
    assert set(first) == KEYS
    assert first == {
        "upto": "2026-01-31",  # the latest imported date by default
        "business_dates": ["2026-01-30", "2026-01-31"],
        "earned": 3,
        "reversed": 1,
        "expired": 0,
        "journals": 3,
    }
    journals = PointsJournal.objects.count()
    second = _run("points", "earn")
    assert second == {
        "upto": "2026-01-31",
        "business_dates": [],
        "earned": 0,
        "reversed": 0,
        "expired": 0,
        "journals": 0,
    }
    assert PointsJournal.objects.count() == journals
    assert accounts()["M-GEN"] == (1, "5000.00", 0)


def test_earn_up_to_a_date_then_the_rest(two_days):
    assert _run("points", "earn", "--date", "2026-01-30")["business_dates"] == ["2026-01-30"]
    assert _run("points", "earn")["business_dates"] == ["2026-01-31"]


def test_earn_prints_one_line_per_key_without_json(two_days):
    out = StringIO()
    call_command("points", "earn", stdout=out)
    lines = out.getvalue().splitlines()
    assert sorted(line.split(":")[0] for line in lines) == sorted(KEYS)
    assert "business_dates: ['2026-01-30', '2026-01-31']" in lines


def test_earn_before_any_import_says_what_to_do(db):
    with pytest.raises(CommandError, match="tenure import"):
        call_command("points", "earn")


def test_a_bank_without_merchants_earns_nothing_and_does_not_fail(lake):
    """Card transactions with and without a merchant number, and no merchant in the database yet."""
    write_day(D1, [txn("M-GEN", "25000.00"), txn(None, "100.00")])
    assert _run("points", "earn") == {
        "upto": "2026-01-30",
        "business_dates": ["2026-01-30"],
        "earned": 0,
        "reversed": 0,
        "expired": 0,
        "journals": 0,
    }
    assert PointsDay.objects.get().merchants == 0


def test_daily_earns_points_once(lake):
    """`tenure daily` runs `points earn` for the date: the analytics tests' bank (four month-ends, no
    merchants) is processed once, and a second daily run has no date left to earn."""
    write_bank()
    points = _run("daily")["steps"]["points"]
    assert set(points) == KEYS
    assert points["business_dates"] == ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30"]
    assert _run("daily")["steps"]["points"]["business_dates"] == []
