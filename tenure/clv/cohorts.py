"""Retention maths on activity records: cohort triangles and period-to-period retention/churn.

Periods are integers (for the bank: months, e.g. year·12 + month − 1). A customer is "retained"
in a period when they have an activity record in it, however the pipeline defines activity; a
customer who skips a month and comes back counts again when they come back. Everything is a
handful of vectorised set operations on (customer, period) pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from tenure.clv.errors import CLVInputError
from tenure.clv.inputs import distinct_rows


@dataclass(frozen=True)
class CohortTable:
    """Rows are onboarding cohorts, columns periods since onboarding (0, 1, …); cells not yet
    observable (cohort + age > last period) are NaN in `rate` and -1 in `retained`."""

    cohorts: np.ndarray
    size: np.ndarray
    retained: np.ndarray
    rate: np.ndarray


@dataclass(frozen=True)
class PeriodRetention:
    """For each period t: customers active in t (`base`), how many of them are active again in
    t + lag (`kept`), and the retention and churn rates (churn = 1 − retention)."""

    period: np.ndarray
    base: np.ndarray
    kept: np.ndarray
    retention: np.ndarray
    churn: np.ndarray


def _int_array(values: ArrayLike, column: str) -> np.ndarray:
    array = np.asarray(values).ravel()
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise CLVInputError(column, "periods and customer indexes must be integers")
    return array.astype(np.int64)


def _active_pairs(customer: ArrayLike, period: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    c, p = _int_array(customer, "customer"), _int_array(period, "period")
    if len(c) != len(p):
        raise CLVInputError("period", f"lengths differ: customer {len(c)}, period {len(p)}")
    pairs, _ = distinct_rows(c, p)  # one record per customer and period
    return pairs[:, 0], pairs[:, 1]


def cohort_retention(
    cohort: ArrayLike, active_customer: ArrayLike, active_period: ArrayLike, *, last_period: int
) -> CohortTable:
    """Triangle of retention by onboarding cohort.

    `cohort[i]` is the onboarding period of customer i (customers are 0..n-1);
    (`active_customer[k]`, `active_period[k]`) says customer k was active in that period;
    `last_period` is the last period observed. Cell (cohort c, age a) = share of c's customers
    active in period c + a."""
    onboarded = _int_array(cohort, "cohort")
    if len(onboarded) == 0:
        raise CLVInputError("cohort", "no customers (the input is empty)")
    customer, period = _active_pairs(active_customer, active_period)
    if len(customer) and (customer.min() < 0 or customer.max() >= len(onboarded)):
        raise CLVInputError("customer", f"customer indexes must be in 0..{len(onboarded) - 1}")
    cohorts, row, size = np.unique(onboarded, return_inverse=True, return_counts=True)
    ages = last_period - cohorts.min() + 1
    age = period - onboarded[customer]
    keep = (age >= 0) & (period <= last_period)
    retained = np.zeros((len(cohorts), ages), dtype=np.int64)
    np.add.at(retained, (row[customer[keep]], age[keep]), 1)
    observable = cohorts[:, None] + np.arange(ages)[None, :] <= last_period
    retained = np.where(observable, retained, -1)
    rate = np.where(observable, retained / size[:, None], np.nan)
    return CohortTable(cohorts=cohorts, size=size, retained=retained, rate=rate)


def period_retention(customer: ArrayLike, period: ArrayLike, *, lag: int = 1) -> PeriodRetention:
    """Retention from each period to `lag` periods later (lag 1: monthly; lag 12: annual for monthly
    periods), for every period whose follow-up period is within the data."""
    if lag < 1:
        raise CLVInputError("lag", f"must be at least 1, not {lag}")
    c, p = _active_pairs(customer, period)
    if len(c) == 0:
        raise CLVInputError("customer", "no activity records (the input is empty)")
    periods = np.arange(p.min(), p.max() - lag + 1)
    if len(periods) == 0:
        raise CLVInputError("period", f"the data span fewer than {lag + 1} periods")
    # Pack (customer, period) into one sortable key to test "active again lag periods later".
    span = p.max() - p.min() + lag + 1
    key = c * span + (p - p.min())
    again = np.isin(key + lag, key)
    base = np.bincount(p - p.min(), minlength=len(periods))[: len(periods)]
    kept = np.bincount(p - p.min(), weights=again, minlength=len(periods))[: len(periods)].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        retention = np.where(base > 0, kept / base, np.nan)
    return PeriodRetention(period=periods, base=base, kept=kept, retention=retention, churn=1 - retention)
