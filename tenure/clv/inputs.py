"""Validation of the customer summary every model reads: frequency, recency, T (and monetary value).

The conventions are Fader and Hardie's: `frequency` is the number of *repeat* purchases in the
calibration period, `recency` the time from the first purchase to the last repeat purchase (0 when
there is none) and `T` the time from the first purchase to the end of calibration, all in the same
period unit (weeks or months). Bad rows raise `CLVInputError` naming the column and the first bad
row (1-based, in input order) rather than producing a likelihood of NaN that the optimiser would
quietly wander around.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from tenure.clv.errors import CLVInputError

# Summaries written with two decimals (as CDNOW's is) can put recency a rounding step past T.
_ROUNDING_SLACK = 1e-9


@dataclass(frozen=True)
class Customers:
    """Validated arrays, one element per customer: repeat purchases, recency and age in periods."""

    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray

    def __len__(self) -> int:
        return len(self.frequency)


def distinct_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of the stacked `columns` in lexicographic order, and how often each occurs:
    `np.unique(np.column_stack(columns), axis=0, return_counts=True)`, in less than half the time
    (1M × 3 histories: 1.3 → 0.6 s) by sorting the columns as keys instead of the rows as records."""
    order = np.lexsort(columns[::-1])
    stacked = np.column_stack([column[order] for column in columns])
    if not len(order):
        return stacked, np.zeros(0, dtype=np.intp)
    starts = np.flatnonzero(np.r_[True, np.any(stacked[1:] != stacked[:-1], axis=1)])
    return stacked[starts], np.diff(np.r_[starts, len(order)])


def _as_float(values: ArrayLike, column: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise CLVInputError(column, f"values are not numbers ({exc})") from None
    return array


def _reject(column: str, bad: np.ndarray, what: str) -> None:
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise CLVInputError(column, f"{int(bad.sum())} customer(s) {what} (first at row {first + 1})")


def customers(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, *, need_repeat_buyers: bool = True) -> Customers:
    """Check a frequency/recency/T summary and return it as float arrays.

    `need_repeat_buyers` is for the transaction models: with no repeat purchase at all the dropout
    parameters are not identified and the likelihood has no interior maximum.
    """
    x, t_x, age = _as_float(frequency, "frequency"), _as_float(recency, "recency"), _as_float(T, "T")
    if len(x) == 0:
        raise CLVInputError("frequency", "no customers (the input is empty)")
    if not len(x) == len(t_x) == len(age):
        raise CLVInputError("recency", f"lengths differ: frequency {len(x)}, recency {len(t_x)}, T {len(age)}")
    for column, values in (("frequency", x), ("recency", t_x), ("T", age)):
        _reject(column, ~np.isfinite(values), "have a missing or infinite value")
        _reject(column, values < 0, "have a negative value")
    _reject("frequency", x != np.round(x), "have a non-integer frequency (it counts repeat purchases)")
    _reject("recency", t_x > age + _ROUNDING_SLACK, "have recency > T (last purchase after the end of calibration)")
    _reject("recency", (x == 0) & (t_x > 0), "have recency > 0 but frequency 0")
    if need_repeat_buyers and not (x > 0).any():
        raise CLVInputError("frequency", "no repeat buyers: every frequency is 0, so dropout cannot be estimated")
    return Customers(frequency=x, recency=np.minimum(t_x, age), T=age)


def spend(frequency: ArrayLike, monetary_value: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Check the Gamma-Gamma input and keep the repeat buyers (frequency > 0), who alone carry spend data.

    `monetary_value` is the mean value (yuan) of a customer's repeat purchases; the first purchase
    is excluded, as in Fader, Hardie and Lee (2005).
    """
    x, m_x = _as_float(frequency, "frequency"), _as_float(monetary_value, "monetary_value")
    if len(x) == 0:
        raise CLVInputError("frequency", "no customers (the input is empty)")
    if len(x) != len(m_x):
        raise CLVInputError("monetary_value", f"lengths differ: frequency {len(x)}, monetary_value {len(m_x)}")
    _reject("frequency", ~np.isfinite(x), "have a missing or infinite value")
    _reject("frequency", x < 0, "have a negative value")
    _reject("frequency", x != np.round(x), "have a non-integer frequency (it counts repeat purchases)")
    repeat = x > 0
    if not repeat.any():
        raise CLVInputError("frequency", "no repeat buyers: the spend model is fitted on customers with frequency > 0")
    _reject("monetary_value", repeat & ~np.isfinite(m_x), "are repeat buyers with a missing monetary value")
    _reject("monetary_value", repeat & (m_x <= 0), "are repeat buyers with monetary_value <= 0")
    return x[repeat], m_x[repeat]
