"""Each rule signal on a tiny hand-made frame: it fires where it should and only there."""

import datetime as dt

import pandas as pd

from tenure.churn import signals
from tenure.churn.config import DEFAULTS

DAY = dt.date(2026, 7, 31)
P = DEFAULTS["signals"]


def frame(**columns) -> pd.DataFrame:
    """Two-customer frame: A gets the given values, B stays neutral."""
    base = {
        "aum": 100000.0,
        "aum_1m": 100000.0,
        "next_competitor_maturity": None,
        "downgrade_warning": False,
        "asset_tier": "gold",
        "max_outflow_1m": 0.0,
        "city": "北京",
        "city_prev": "北京",
        "bal_time_deposit": 0.0,
        "bal_time_deposit_1m": 0.0,
        "outflow_1m": 0.0,
        "outflow_prev3": 0.0,
        "payroll_1m": 1,
        "payroll_months_prev": 5,
        "card_1m": 3000.0,
        "card_prev3": 3000.0,
        "complaints_open": 0.0,
        "complaint_max_severity": 0.0,
        "complaint_resolved_late": 0.0,
    }
    rows = {"A": {**base, **columns}, "B": base}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("customer_no")


def fired(result: pd.DataFrame) -> list[str]:
    return sorted(result.customer_no)


def test_aum_drop_fires_beyond_the_threshold_with_severity():
    assert fired(signals.aum_drop(frame(aum=75000.0), P["aum_drop"], DAY)) == []  # 25% < 30%
    hit = signals.aum_drop(frame(aum=40000.0), P["aum_drop"], DAY)
    assert fired(hit) == ["A"] and hit.severity.tolist() == ["high"] and hit.detail.tolist() == ["60"]
    assert signals.aum_drop(frame(aum=65000.0), P["aum_drop"], DAY).severity.tolist() == ["medium"]


def test_aum_drop_ignores_small_balances():
    assert fired(signals.aum_drop(frame(aum=100.0, aum_1m=5000.0), P["aum_drop"], DAY)) == []


def test_competitor_maturity_within_seven_days_only():
    p = P["competitor_maturity"]
    assert fired(signals.competitor_maturity(frame(next_competitor_maturity=dt.date(2026, 8, 7)), p, DAY)) == ["A"]
    assert fired(signals.competitor_maturity(frame(next_competitor_maturity=dt.date(2026, 8, 8)), p, DAY)) == []


def test_tier_downgrade_follows_the_tiers_output():
    assert fired(signals.tier_downgrade(frame(downgrade_warning=True), P["tier_downgrade"], DAY)) == ["A"]


def test_satisfaction_decline_accepts_an_empty_table_and_fires_on_a_drop():
    empty = pd.DataFrame({"customer_no": [], "answered_on": [], "score": []})
    assert signals.satisfaction_decline(empty, P["satisfaction_decline"], DAY).empty
    surveys = pd.DataFrame(
        {
            "customer_no": ["A", "A", "B", "B", "C"],
            "answered_on": ["2026-01-05", "2026-07-01", "2026-01-05", "2026-07-01", "2026-07-01"],
            "score": [9, 6, 8, 7, 2],
        }
    )
    assert fired(signals.satisfaction_decline(surveys, P["satisfaction_decline"], DAY)) == ["A"]


def test_large_withdrawal_by_amount_or_share_of_aum():
    p = P["large_withdrawal"]
    assert fired(signals.large_withdrawal(frame(max_outflow_1m=50000.0), p, DAY)) == ["A"]
    assert fired(signals.large_withdrawal(frame(max_outflow_1m=20000.0, aum_1m=60000.0), p, DAY)) == ["A"]
    assert fired(signals.large_withdrawal(frame(max_outflow_1m=20000.0), p, DAY)) == []
    assert fired(signals.large_withdrawal(frame(max_outflow_1m=5000.0, aum_1m=8000.0), p, DAY)) == []  # small


def test_large_withdrawal_must_be_unusual_for_the_customer():
    p = P["large_withdrawal"]
    # 60,000 out this month against 15,000 a month before: 4x usual.
    assert fired(signals.large_withdrawal(frame(max_outflow_1m=60000.0, outflow_prev3=15000.0), p, DAY)) == ["A"]
    # Someone who moves 30,000 a month: a 60,000 transfer is twice usual, not an alert.
    assert fired(signals.large_withdrawal(frame(max_outflow_1m=60000.0, outflow_prev3=30000.0), p, DAY)) == []


def test_relocation_needs_a_known_earlier_city():
    assert fired(signals.relocation(frame(city="上海"), P["relocation"], DAY)) == ["A"]
    assert fired(signals.relocation(frame(city="上海", city_prev=None), P["relocation"], DAY)) == []


def test_rate_sensitive_needs_the_deposit_to_leave_the_bank():
    p = P["rate_sensitive"]
    ran_off = {"bal_time_deposit_1m": 200000.0, "bal_time_deposit": 0.0}
    assert fired(signals.rate_sensitive(frame(**ran_off, outflow_1m=180000.0), p, DAY)) == ["A"]
    assert fired(signals.rate_sensitive(frame(**ran_off, outflow_1m=1000.0), p, DAY)) == []  # rolled into savings


def test_dormant_payroll():
    p = P["dormant_payroll"]
    assert fired(signals.dormant_payroll(frame(payroll_1m=0), p, DAY)) == ["A"]
    assert fired(signals.dormant_payroll(frame(payroll_1m=0, payroll_months_prev=1), p, DAY)) == []


def test_card_spend_collapse():
    p = P["card_spend_collapse"]
    assert fired(signals.card_spend_collapse(frame(card_1m=500.0), p, DAY)) == ["A"]
    assert fired(signals.card_spend_collapse(frame(card_1m=500.0, card_prev3=800.0), p, DAY)) == []


def test_an_open_or_late_complaint_is_a_signal():
    open_major = signals.complaint(frame(complaints_open=1.0, complaint_max_severity=3.0), P["complaint"], DAY)
    assert fired(open_major) == ["A"] and open_major.severity.tolist() == ["high"]
    late = signals.complaint(frame(complaint_resolved_late=1.0), P["complaint"], DAY)
    assert fired(late) == ["A"] and late.severity.tolist() == ["medium"] and late.detail.tolist() == [""]
    assert fired(signals.complaint(frame(), P["complaint"], DAY)) == []


def test_evaluate_signals_runs_every_rule():
    empty = pd.DataFrame({"customer_no": [], "answered_on": [], "score": []})
    hits = signals.evaluate_signals(frame(aum=10000.0, payroll_1m=0), empty, P, DAY)
    assert sorted(hits.cause) == ["aum_drop", "dormant_payroll"]
