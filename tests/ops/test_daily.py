"""`daily_run`: the steps' summaries come back as Python values from the services, in order."""

from __future__ import annotations

import pytest

from tenure.ops.daily import DailyError, daily_run
from tests.analytics.bank import D3, D4, write_bank

FIRST = ["nightly", "serving", "points"]
LATEST_ONLY = [
    "churn_score",
    "churn_alerts",
    "complaints_escalate",
    "retention_lottery",
    "tasks",
    "queue_waits",
    "offers_score",
    "scorecards",
    "messages_plan",
    "messages",
]


@pytest.fixture
def bank(db, settings, tmp_path):
    """The analytics tests' tiny bank (four month-ends) in a TENURE_HOME of its own."""
    settings.TENURE_HOME = tmp_path
    settings.LAKE_DIR = tmp_path / "lake"
    settings.LAKE_DIR.mkdir()
    write_bank()


def test_daily_run_returns_every_step_as_python_values(bank):
    lines: list[str] = []
    summary = daily_run(echo=lines.append)
    assert summary["business_date"] == D4.isoformat()
    steps = summary["steps"]
    assert list(steps) == FIRST + LATEST_ONLY and list(summary["seconds"]) == list(steps)
    assert steps["nightly"]["business_date"] == D4.isoformat() and steps["nightly"]["written"]["tiers"] > 0
    assert steps["serving"]["balances"]["built"] is True
    assert steps["points"]["upto"] == D4.isoformat() and len(steps["points"]["business_dates"]) == 4
    assert steps["churn_score"] == "skipped: no churn model yet (tenure churn train)"
    assert steps["offers_score"] == "skipped: no recommender yet: run `tenure offers train` first"
    assert steps["churn_alerts"]["business_date"] == D4.isoformat()
    assert steps["complaints_escalate"] == {"branch_head": 0, "head_office": 0}
    assert lines[0] == "== nightly" and lines[1] == f"   {steps['nightly']}"
    assert steps["tasks"]["business_date"] == D4.isoformat()  # the lake-only bank has no customer records
    again = daily_run(day=D4)["steps"]
    assert set(again["nightly"]["written"].values()) == {0} and again["points"]["business_dates"] == []
    assert set(again["tasks"]["created"].values()) == {0}  # one business date, its tasks once


def test_an_earlier_date_skips_the_follow_ups_of_today(bank):
    summary = daily_run(day=D3)
    assert summary["business_date"] == D3.isoformat() and list(summary["steps"]) == FIRST


def test_nothing_imported_is_one_line(db):
    with pytest.raises(DailyError, match="run `tenure import <folder>` first"):
        daily_run()
