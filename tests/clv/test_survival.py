"""Kaplan–Meier with Greenwood intervals against a table worked by hand.

Eight customers, durations in months, churned (1) or still with the bank (0):
3:1, 5:1, 5:0, 8:1, 8:1, 10:0, 12:1, 15:0.

| t  | at risk n | churned d | S = Π(1 − d/n)          | Σ d/(n(n−d))               | se = S·√Σ          |
|----|-----------|-----------|-------------------------|----------------------------|--------------------|
| 3  | 8         | 1         | 7/8 = 0.875             | 1/56 = 0.017857            | 0.116927           |
| 5  | 7 (the censored 5 is at risk) | 1 | 0.875·6/7 = 0.75 | + 1/42 = 0.041667   | 0.153093           |
| 8  | 5         | 2         | 0.75·3/5 = 0.45         | + 2/15 = 0.175             | 0.188249           |
| 10 | 3         | 0         | 0.45                    | 0.175                      | 0.188249           |
| 12 | 2         | 1         | 0.45·1/2 = 0.225        | + 1/2 = 0.675              | 0.184856           |
| 15 | 1         | 0         | 0.225                   | 0.675                      | 0.184856           |

Restricted mean to 15 months: 3·1 + 2·0.875 + 3·0.75 + 4·0.45 + 3·0.225 = 9.475. Median: 8.
log-log 95% interval at t = 3: σ = √(1/56)/|log 0.875| = 1.000737, log(−log 0.875) = −2.013302,
bounds exp(−exp(−2.013302 ± 1.959964·1.000737)) = 0.387000 and 0.981393.
"""

import numpy as np
import pytest

from tenure.clv.errors import CLVInputError
from tenure.clv.survival import kaplan_meier

DURATION = [3, 5, 5, 8, 8, 10, 12, 15]
CHURNED = [1, 1, 0, 1, 1, 0, 1, 0]


def test_table_by_hand():
    curve = kaplan_meier(DURATION, CHURNED)
    assert curve.time.tolist() == [3, 5, 8, 10, 12, 15]
    assert curve.at_risk.tolist() == [8, 7, 5, 3, 2, 1]
    assert curve.churned.tolist() == [1, 1, 2, 0, 1, 0]
    assert curve.censored.tolist() == [0, 1, 0, 1, 0, 1]
    np.testing.assert_allclose(curve.survival, [0.875, 0.75, 0.45, 0.45, 0.225, 0.225], rtol=1e-12)
    np.testing.assert_allclose(curve.std_error, [0.116927, 0.153093, 0.188249, 0.188249, 0.184856, 0.184856], atol=1e-6)
    assert (curve.lower[0], curve.upper[0]) == (pytest.approx(0.387000, abs=1e-6), pytest.approx(0.981393, abs=1e-6))
    assert (curve.lower <= curve.survival).all() and (curve.survival <= curve.upper).all()


def test_plain_interval_is_symmetric_and_clipped():
    curve = kaplan_meier(DURATION, CHURNED, interval="plain")
    z = 1.959964
    assert curve.lower[2] == pytest.approx(0.45 - z * 0.188249, abs=1e-5)
    assert curve.upper[2] == pytest.approx(0.45 + z * 0.188249, abs=1e-5)
    assert curve.upper[0] == 1.0 and curve.lower[4] == 0.0  # 0.875 + 0.229 and 0.225 − 0.362, clipped


def test_lifetime_and_step_function():
    curve = kaplan_meier(DURATION, CHURNED)
    assert curve.restricted_mean(15) == pytest.approx(9.475)
    assert curve.restricted_mean(4) == pytest.approx(3 + 0.875)
    assert curve.median() == 8
    np.testing.assert_allclose(curve.at([0, 2.9, 3, 7, 100]), [1.0, 1.0, 0.875, 0.75, 0.225], rtol=1e-12)


def test_everyone_churns():
    curve = kaplan_meier([1, 2, 2], [1, 1, 1])
    assert curve.survival.tolist() == [pytest.approx(2 / 3), 0.0]
    assert np.isnan(curve.std_error[-1])
    assert curve.restricted_mean(10) == pytest.approx(1 + 2 / 3)


def test_no_churn_means_no_uncertainty():
    curve = kaplan_meier([4, 6], [0, 0])
    assert curve.survival.tolist() == [1.0, 1.0] and curve.lower.tolist() == [1.0, 1.0]
    assert np.isnan(curve.median())


@pytest.mark.parametrize(
    ("args", "column"),
    [
        (([], []), "duration"),
        (([1, -2], [1, 0]), "duration"),
        (([1, 2], [1, 2]), "churned"),
        (([1, 2], [1]), "churned"),
    ],
)
def test_bad_input(args, column):
    with pytest.raises(CLVInputError) as caught:
        kaplan_meier(*args)
    assert caught.value.column == column
