"""Kaplan–Meier survival of customer relationships, with Greenwood confidence intervals.

A customer's duration is the time (periods: months for the bank) from onboarding to churn, or to
the end of observation for customers still with the bank (censored). The Kaplan–Meier curve is
the share of customers still with the bank after t periods; its area up to a horizon is the
average customer lifetime within that horizon (the restricted mean: while part of the base has
not yet churned, the plain mean lifetime is not observable, and pretending otherwise inflates it).

Conventions: at a time where customers both churn and are censored, the censored ones count as
at risk (they were seen to survive that time). Greenwood's variance
Var S(t) = S(t)² Σ_{tᵢ≤t} dᵢ/(nᵢ(nᵢ−dᵢ)); intervals are pointwise, either "log-log"
(exp(−exp(log(−log S) ± z·σ)), σ² = Σ dᵢ/(nᵢ(nᵢ−dᵢ)) / log(S)², which stays inside [0, 1]) or
"plain" (S ± z·se, clipped). Where S reaches 0 the variance is undefined and se is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import norm

from tenure.clv.errors import CLVInputError


@dataclass(frozen=True)
class SurvivalCurve:
    """One row per distinct duration (event or censoring), ascending; `survival` is S just after it."""

    time: np.ndarray
    at_risk: np.ndarray
    churned: np.ndarray
    censored: np.ndarray
    survival: np.ndarray
    std_error: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    confidence: float

    def at(self, t: ArrayLike) -> np.ndarray:
        """S(t) as a right-continuous step function (1 before the first time)."""
        index = np.searchsorted(self.time, np.asarray(t, dtype=float), side="right")
        return np.concatenate([[1.0], self.survival])[index]

    def restricted_mean(self, horizon: float) -> float:
        """∫₀^horizon S(t) dt: the average lifetime within the horizon, in periods."""
        if horizon <= 0:
            raise CLVInputError("horizon", f"must be positive, not {horizon}")
        knots = np.concatenate([[0.0], self.time[self.time < horizon], [horizon]])
        levels = np.concatenate([[1.0], self.survival[self.time < horizon]])
        return float(np.sum(levels * np.diff(knots)))

    def median(self) -> float:
        """First time S falls to 0.5 or below; NaN when it never does within the data."""
        below = np.flatnonzero(self.survival <= 0.5)
        return float(self.time[below[0]]) if len(below) else float("nan")


def kaplan_meier(
    duration: ArrayLike,
    churned: ArrayLike,
    *,
    confidence: float = 0.95,
    interval: Literal["log-log", "plain"] = "log-log",
) -> SurvivalCurve:
    """Kaplan–Meier estimate from per-customer durations (periods) and churn flags (False = censored)."""
    t = np.asarray(duration, dtype=float).ravel()
    event = np.asarray(churned).ravel()
    if len(t) == 0:
        raise CLVInputError("duration", "no customers (the input is empty)")
    if len(event) != len(t):
        raise CLVInputError("churned", f"lengths differ: duration {len(t)}, churned {len(event)}")
    if not np.isfinite(t).all() or (t < 0).any():
        raise CLVInputError("duration", "durations must be finite and ≥ 0")
    if not np.isin(event, [0, 1]).all():
        raise CLVInputError("churned", "must be true/false (1/0)")
    if not 0 < confidence < 1:
        raise CLVInputError("confidence", f"must be between 0 and 1, not {confidence}")
    if interval not in ("log-log", "plain"):
        raise CLVInputError("interval", f"must be log-log or plain, not {interval!r}")
    event = event.astype(bool)
    times, inverse = np.unique(t, return_inverse=True)
    churn_count = np.bincount(inverse, weights=event, minlength=len(times))
    leaving = np.bincount(inverse, minlength=len(times))
    at_risk = len(t) - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    survival = np.cumprod(1 - churn_count / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(churn_count / (at_risk * (at_risk - churn_count)))
        std_error = np.where(survival > 0, survival * np.sqrt(greenwood), np.nan)
        z = norm.ppf(0.5 + confidence / 2)
        if interval == "plain":
            lower, upper = np.clip(survival - z * std_error, 0, 1), np.clip(survival + z * std_error, 0, 1)
        else:
            log_s = np.log(survival)
            sigma = np.sqrt(greenwood) / np.abs(log_s)
            centre = np.log(-log_s)
            lower, upper = np.exp(-np.exp(centre + z * sigma)), np.exp(-np.exp(centre - z * sigma))
            # Before the first churn S = 1 exactly: the interval is the point itself.
            lower, upper = np.where(greenwood == 0, survival, lower), np.where(greenwood == 0, survival, upper)
    return SurvivalCurve(
        time=times,
        at_risk=at_risk.astype(int),
        churned=churn_count.astype(int),
        censored=(leaving - churn_count).astype(int),
        survival=survival,
        std_error=std_error,
        lower=lower,
        upper=upper,
        confidence=confidence,
    )
