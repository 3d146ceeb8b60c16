"""Cohort triangle and period retention on a hand-made example.

Six customers, onboarding month and the months they were active (last observed month: 2):

| customer | cohort | active in |
|---|---|---|
| 0 | 0 | 0, 1, 2 |
| 1 | 0 | 0, 2 (skips month 1, comes back) |
| 2 | 0 | 0 |
| 3 | 1 | 1, 2 |
| 4 | 1 | 1 |
| 5 | 2 | 2 |

Triangle (share of the cohort active k months after onboarding):
cohort 0 (3 customers): 3/3, 1/3, 2/3; cohort 1 (2): 2/2, 1/2, —; cohort 2 (1): 1/1, —, —.
Month-to-month: of the 3 active in month 0, 1 is active in month 1 (1/3); of the 3 active in
month 1, 2 are active in month 2 (2/3). Churn is the complement.
"""

import numpy as np
import pytest

from tenure.clv.cohorts import cohort_retention, period_retention
from tenure.clv.errors import CLVInputError

COHORT = [0, 0, 0, 1, 1, 2]
CUSTOMER = [0, 0, 0, 1, 1, 2, 3, 3, 4, 5]
PERIOD = [0, 1, 2, 0, 2, 0, 1, 2, 1, 2]


def test_triangle_by_hand():
    table = cohort_retention(COHORT, CUSTOMER, PERIOD, last_period=2)
    assert table.cohorts.tolist() == [0, 1, 2] and table.size.tolist() == [3, 2, 1]
    assert table.retained.tolist() == [[3, 1, 2], [2, 1, -1], [1, -1, -1]]
    expected = np.array([[1, 1 / 3, 2 / 3], [1, 1 / 2, np.nan], [1, np.nan, np.nan]])
    np.testing.assert_allclose(table.rate, expected, rtol=1e-12)


def test_duplicate_records_and_activity_after_the_last_period_do_not_count():
    table = cohort_retention(COHORT, CUSTOMER + [0, 2], PERIOD + [1, 3], last_period=2)
    assert table.retained.tolist() == [[3, 1, 2], [2, 1, -1], [1, -1, -1]]


def test_month_to_month_retention_by_hand():
    rates = period_retention(CUSTOMER, PERIOD)
    assert rates.period.tolist() == [0, 1]
    assert rates.base.tolist() == [3, 3] and rates.kept.tolist() == [1, 2]
    np.testing.assert_allclose(rates.retention, [1 / 3, 2 / 3])
    np.testing.assert_allclose(rates.churn, [2 / 3, 1 / 3])


def test_two_month_lag():
    """Of the 3 active in month 0, customers 0 and 1 are active in month 2."""
    rates = period_retention(CUSTOMER, PERIOD, lag=2)
    assert (rates.period.tolist(), rates.kept.tolist(), rates.base.tolist()) == ([0], [2], [3])


@pytest.mark.parametrize(
    ("call", "column"),
    [
        (lambda: cohort_retention([], [], [], last_period=2), "cohort"),
        (lambda: cohort_retention(COHORT, [9], [0], last_period=2), "customer"),
        (lambda: cohort_retention(COHORT, [0], [0.5], last_period=2), "period"),
        (lambda: period_retention(CUSTOMER, PERIOD, lag=3), "period"),
        (lambda: period_retention(CUSTOMER, PERIOD, lag=0), "lag"),
    ],
)
def test_bad_input(call, column):
    with pytest.raises(CLVInputError) as caught:
        call()
    assert caught.value.column == column
