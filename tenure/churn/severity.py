"""One churn severity, from the calibrated probability and the value at risk (docs/churn.md, Severity).

The score's band is this severity, and every open alert of a scored customer carries its
customer's band, so the queue, its export, the at-risk list, the homes, the API and the 360° page
rate a customer the same way. The grid is the active churn policy's (`tenure.churn.rules`, versioned):

* high: probability ≥ `high`, or probability ≥ `medium` and value at risk ≥ `value_at_risk_high`;
* medium: probability ≥ `medium`;
* low: the rest.

It rises with the probability at equal value at risk and with the value at risk at equal probability.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from tenure.churn.rules import active_policy

LEVELS = ("low", "medium", "high")


def severity_grid() -> dict:
    """The grid in force (with its policy version), its probabilities as percentages for the pages' explanation."""
    policy = active_policy()
    g = policy.rules["severity"]
    return {**g, "version": policy.version, "high_pct": round(g["high"] * 100), "medium_pct": round(g["medium"] * 100)}


def value_at_risk(probability: ArrayLike, contribution: ArrayLike) -> np.ndarray:
    """Churn probability × the yearly contribution a customer's leaving would lose (none when loss-making)."""
    p = np.asarray(probability, dtype="float64")
    c = np.nan_to_num(np.asarray(contribution, dtype="float64"))
    return np.round(p * np.maximum(c, 0.0), 2)


def severities(probability: ArrayLike, value: ArrayLike, grid: dict | None = None) -> np.ndarray:
    """ "high" / "medium" / "low" per customer, by the severity grid (the configured one by default)."""
    g = grid or active_policy().rules["severity"]
    p = np.asarray(probability, dtype="float64")
    v = np.asarray(value, dtype="float64")
    high = (p >= g["high"]) | ((p >= g["medium"]) & (v >= g["value_at_risk_high"]))
    return np.select([high, p >= g["medium"]], ["high", "medium"], "low")


def severity(probability: float, value: float) -> str:
    """The severity of one customer (see `severities`)."""
    return str(severities([probability], [value])[0])
