"""Retention and churn from the "activity" step output, for any set of customers (a scope, a segment).

Computed on request rather than nightly because every page view has its own population (a branch
head's subtree, one tier): the activity output holds each customer's monthly history in one
integer, so a cohort table for a million customers is a few vectorised passes. Definitions
(docs/loyalty.md): a customer is *retained* from month t to t+1 when active in both; a customer has
*churned* when active once but not in the last CHURN_GAP months; a lifetime runs from the later of
onboarding and the first observed month to the last active month (churned) or to D (censored).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tenure.analytics.activity import active_matrix
from tenure.clv.cohorts import cohort_retention, period_retention
from tenure.clv.errors import CLVInputError
from tenure.clv.survival import kaplan_meier

CHURN_GAP = 3


def month_label(index: int) -> str:
    year, month = divmod(int(index), 12)
    return f"{year}-{month + 1:02d}"


@dataclass(frozen=True)
class Activity:
    """The (customer, month) activity records of a population, months as absolute month indexes."""

    customer: np.ndarray
    month: np.ndarray
    first_month: int
    last_month: int


def activity_pairs(frame: pd.DataFrame) -> Activity:
    """Unpack the activity bits of `frame` (rows of the activity output) into (row number, month) pairs."""
    first, last = int(frame["observed_from"].iloc[0]), int(frame["as_of_month"].iloc[0])
    active = active_matrix(frame["active_bits"].to_numpy(), last - first + 1)
    rows, k = np.nonzero(active)
    return Activity(customer=rows, month=last - k, first_month=first, last_month=last)


def monthly_trend(a: Activity, lag: int = 1) -> list[dict[str, Any]]:
    """Retention and churn from each month to `lag` months later (lag 12: annual)."""
    try:
        r = period_retention(a.customer, a.month, lag=lag)
    except CLVInputError:
        return []
    return [
        {"month": month_label(p), "base": int(b), "kept": int(k), "retention": round(float(v), 4)}
        for p, b, k, v in zip(r.period, r.base, r.kept, r.retention, strict=True)
        if b > 0
    ]


def cohort_table(frame: pd.DataFrame, a: Activity) -> list[dict[str, Any]]:
    """Retention by onboarding month for cohorts onboarded inside the observed window."""
    inside = frame["onboarded_month"].to_numpy() >= a.first_month
    if not inside.any():
        return []
    keep = inside[a.customer]
    renumber = np.cumsum(inside) - 1  # row number among the in-window customers
    t = cohort_retention(
        frame["onboarded_month"].to_numpy()[inside],
        renumber[a.customer[keep]],
        a.month[keep],
        last_period=a.last_month,
    )
    return [
        {
            "cohort": month_label(c),
            "size": int(n),
            "rates": [None if np.isnan(v) else round(float(v), 4) for v in row],
        }
        for c, n, row in zip(t.cohorts, t.size, t.rate, strict=True)
    ]


def lifetimes(frame: pd.DataFrame) -> pd.DataFrame:
    """Per customer ever active: duration in months, churned flag, and whether onboarded in the window."""
    ever = frame[frame["active_months"] > 0]
    entry = np.maximum(ever["onboarded_month"], ever["observed_from"])
    as_of = ever["as_of_month"]
    churned = ever["last_active_month"] <= as_of - CHURN_GAP
    end = np.where(churned, ever["last_active_month"], as_of)
    return pd.DataFrame(
        {
            "duration": (end - entry + 1).clip(lower=0).to_numpy(),
            "churned": churned.to_numpy(),
            "new": (ever["onboarded_month"] >= ever["observed_from"]).to_numpy(),
        }
    )


def survival(frame: pd.DataFrame) -> dict[str, Any]:
    """Kaplan–Meier curves (all customers, and those onboarded in the window) with 95% bands."""
    life = lifetimes(frame)
    curves: dict[str, Any] = {}
    for name, part in (("all", life), ("new", life[life["new"]])):
        if part.empty:
            continue
        km = kaplan_meier(part["duration"], part["churned"])
        horizon = float(part["duration"].max())
        curves[name] = {
            "time": [0.0, *map(float, km.time)],
            "survival": [1.0, *np.round(km.survival, 4).tolist()],
            "lower": [1.0, *np.round(np.nan_to_num(km.lower, nan=0.0), 4).tolist()],
            "upper": [1.0, *np.round(np.nan_to_num(km.upper, nan=0.0), 4).tolist()],
            "customers": len(part),
            "churned": int(part["churned"].sum()),
            "restricted_mean_months": round(km.restricted_mean(horizon), 2) if horizon > 0 else None,
            "horizon_months": horizon,
        }
    return curves


def summary(trend: list[dict[str, Any]], baseline: tuple[str, str] | None) -> dict[str, Any]:
    """Latest monthly retention against the baseline months' pooled rate, and the implied lifetime.

    The geometric-lifetime rule (average lifetime = 1 / monthly churn) assumes a constant churn
    rate; it is shown next to the Kaplan–Meier restricted mean, which does not."""
    if not trend:
        return {}
    latest = trend[-1]
    months = [t for t in trend if baseline and baseline[0] <= t["month"] <= baseline[1]] or trend[:3]
    base_rate = sum(t["kept"] for t in months) / max(sum(t["base"] for t in months), 1)
    churn = 1 - latest["retention"]
    return {
        "month": latest["month"],
        "retention": latest["retention"],
        "retention_pct": round(100 * latest["retention"], 2),
        "churn": round(churn, 4),
        "baseline_from": months[0]["month"],
        "baseline_to": months[-1]["month"],
        "baseline_retention": round(base_rate, 4),
        "baseline_pct": round(100 * base_rate, 2),
        "change_vs_baseline": round(latest["retention"] - base_rate, 4),
        "lifetime_months": round(1 / churn, 1) if churn > 0 else None,
    }


def by_segment(frame: pd.DataFrame, column: str) -> list[dict[str, Any]]:
    """Last month's retention (active in the month before D's month and in D's month) per segment."""
    active = active_matrix(frame["active_bits"].to_numpy(), 2)
    base = pd.Series(active[:, 1], index=frame.index)
    kept = pd.Series(active[:, 1] & active[:, 0], index=frame.index)
    g = pd.DataFrame({"segment": frame[column].fillna(""), "base": base, "kept": kept}).groupby("segment").sum()
    g = g[g["base"] > 0]
    return [
        {"segment": str(s), "base": int(r.base), "kept": int(r.kept), "retention": round(float(r.kept / r.base), 4)}
        for s, r in g.iterrows()
    ]
