"""Retention maths on a hand-made population of five customers over four months (D = month 3)."""

import pandas as pd
import pytest

from tenure.analytics import retention

# Months 100..103 observed (103 is D's month); bit k = active k months before month 103.
#   A: onboarded 90, active 100 101 102 103        -> bits 0b1111
#   B: onboarded 90, active 100 101                -> bits 0b1100 (silent since 102: not yet churned, gap 2)
#   C: onboarded 101, active 101 102 103           -> bits 0b0111
#   D: onboarded 101, active 101                   -> bits 0b0100
#   E: onboarded 102, never active                 -> bits 0
FRAME = pd.DataFrame(
    {
        "customer_no": list("ABCDE"),
        "branch_code": ["X", "X", "Y", "Y", "Y"],
        "asset_tier": ["gold", "standard", "gold", "standard", "standard"],
        "onboarded_month": [90, 90, 101, 101, 102],
        "observed_from": [100] * 5,
        "as_of_month": [103] * 5,
        "active_bits": [0b1111, 0b1100, 0b0111, 0b0100, 0],
        "active_months": [4, 2, 3, 1, 0],
        "last_active_month": [103, 101, 103, 101, None],
    }
)


def test_monthly_trend_by_hand():
    trend = retention.monthly_trend(retention.activity_pairs(FRAME))
    # 100: A,B active -> both in 101. 101: A,B,C,D -> A,C in 102. 102: A,C -> A,C in 103.
    assert [(t["month"], t["base"], t["kept"]) for t in trend] == [
        ("8-05", 2, 2),
        ("8-06", 4, 2),
        ("8-07", 2, 2),
    ]
    assert [t["retention"] for t in trend] == [1.0, 0.5, 1.0]
    assert retention.monthly_trend(retention.activity_pairs(FRAME), lag=12) == []


def test_cohort_table_only_in_window_cohorts():
    table = retention.cohort_table(FRAME, retention.activity_pairs(FRAME))
    # Cohort 101: C, D (C active at ages 0,1,2; D at age 0). Cohort 102: E, never active.
    assert [(c["cohort"], c["size"]) for c in table] == [("8-06", 2), ("8-07", 1)]
    assert table[0]["rates"] == [1.0, 0.5, 0.5]
    assert table[1]["rates"] == [0.0, 0.0, None]


def test_lifetimes_and_survival_by_hand():
    frame = FRAME.assign(as_of_month=104, active_bits=FRAME["active_bits"] * 2)  # one quiet month later
    life = retention.lifetimes(frame)
    # B and D last active in 101 <= 104 - 3: churned after 2 and 1 months; A and C censored at 5 and 4.
    assert life["duration"].tolist() == [5, 2, 4, 1]
    assert life["churned"].tolist() == [False, True, False, True]
    curve = retention.survival(frame)["all"]
    # KM: at t=1 one of 4 churns -> 3/4; at t=2 one of 3 -> 1/2.
    assert curve["survival"][:3] == [1.0, 0.75, 0.5]
    assert curve["churned"] == 2 and curve["customers"] == 4
    assert curve["restricted_mean_months"] == pytest.approx(1 + 0.75 + 0.5 * 3)


def test_summary_against_a_baseline_and_segments():
    trend = retention.monthly_trend(retention.activity_pairs(FRAME))
    s = retention.summary(trend, ("8-05", "8-06"))
    assert s["retention"] == 1.0 and s["baseline_retention"] == pytest.approx(4 / 6, abs=1e-4)
    assert s["change_vs_baseline"] == pytest.approx(1 - 4 / 6, abs=1e-4)
    assert s["lifetime_months"] is None  # no churn last month: the geometric lifetime is unbounded
    by_tier = {r["segment"]: (r["base"], r["kept"]) for r in retention.by_segment(FRAME, "asset_tier")}
    assert by_tier == {"gold": (2, 2)}  # active in 102: A, C (gold); both active in 103


def test_empty_population_has_no_trend():
    empty = FRAME.assign(active_bits=0)
    assert retention.monthly_trend(retention.activity_pairs(empty)) == []
