"""Nightly per-customer CLV from the bank's own history (step "clv"); formulas in docs/loyalty.md.

A bank "purchase" is a *transaction day*: a day on which the customer initiated at least one
transaction (interest and fees excluded), Fader–Hardie's purchase-occasion convention applied to
banking. Two other readings were rejected, with reasons: product purchases (a new account every
year or two) leave almost nobody with a repeat in a year of history; active months cap everyone
at one "purchase" a month, and on the demo bank 93% of customers were active every month — the
counts are under-dispersed, the BG/NBD likelihood runs to the boundary (no heterogeneity, no
dropout) and the fit is rightly refused. Transaction days keep the heterogeneity in how often
customers use the bank and show silent departures as the gap since the last day. Periods are weeks.
For customers onboarded before the lake starts, the first observed day stands in for the acquisition.

The value of a purchase is the customer's estimated annual contribution divided by their
purchases per year, so CLV is contribution (profit), not revenue; loss-making customers keep a
negative value (Gamma-Gamma only models positive spend and is fitted on the profitable repeat
customers).

Refits follow a schedule: parameters are estimated on the history up to the end of the latest
refit month (every REFIT_MONTHS months) and, between refits, customers are re-scored with those
parameters on their current history. The fit is a deterministic function of the lake, so it is
recomputed rather than kept as state; its diagnostics (estimates, standard errors, convergence
and the holdout check — predicted against actual transaction days in each of the last
HOLDOUT_MONTHS months, from a fit that did not see them) go into the step's run detail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tenure.analytics.activity import RECENT_MONTHS
from tenure.analytics.dates import month_end_back, month_index
from tenure.clv import bgnbd, gammagamma
from tenure.clv.bgnbd import BGNBD
from tenure.clv.clv import expected_monthly_transactions
from tenure.clv.errors import CLVError, CLVInputError
from tenure.clv.fitting import FitResult
from tenure.clv.gammagamma import GammaGamma
from tenure.clv.summary import periods_per_month

HOLDOUT_MONTHS = RECENT_MONTHS
REFIT_MONTHS = 3
HORIZON_MONTHS = 12
MONTHLY_DISCOUNT = 0.008  # ≈ 10% a year, the cost of capital: a contribution 12 months out is worth 91%
WEEKS_PER_MONTH = periods_per_month("week")
DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class History:
    """frequency/recency/T in weeks as of a cut-off date, for the customers who had bought by then."""

    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    seen: np.ndarray  # bool per customer: at least one transaction day by the cut-off


def refit_shift(day: dt.date) -> int:
    """Months between D's month and the latest scheduled refit month (Jan, Apr, Jul, Oct by default)."""
    return month_index(day) % REFIT_MONTHS


def cuts(day: dt.date) -> dict[str, dt.date]:
    """The cut-off dates the activity step summarises: now, the scheduled fit, the holdout calibration."""
    shift = refit_shift(day)
    return {
        "now": day,
        "fit": month_end_back(day, shift) if shift else day,
        "cal": month_end_back(day, HOLDOUT_MONTHS),
    }


def _days(column: pa.ChunkedArray) -> np.ndarray:
    """Dates as float days since 1970 (NaN for null)."""
    return pc.cast(pc.cast(column, pa.date32()), pa.int32()).to_numpy(zero_copy_only=False).astype(float)


def history(activity: pa.Table, cut_name: str, cut: dt.date) -> History:
    """The repeat-purchase summary of every customer as of cut-off `cut_name` (dated `cut`)."""
    count = activity[f"txn_days_{cut_name}"].to_numpy(zero_copy_only=False).astype(float)
    first, last = _days(activity["first_day"]), _days(activity[f"last_day_{cut_name}"])
    end = float((cut - dt.date(1970, 1, 1)).days)
    seen = count > 0
    return History(
        frequency=np.where(seen, count - 1, 0.0),
        recency=np.where(seen, (last - first) / DAYS_PER_WEEK, 0.0),
        T=np.where(seen, (end - first) / DAYS_PER_WEEK, 0.0),
        seen=seen,
    )


def value_per_purchase(activity: pa.Table, day: dt.date) -> np.ndarray:
    """Annual contribution over purchases per year (observed since the first transaction day, ≥ 1 month)."""
    contribution = activity["contribution"].to_numpy(zero_copy_only=False).astype(float)
    count = activity["txn_days_now"].to_numpy(zero_copy_only=False).astype(float)
    span_years = (float((day - dt.date(1970, 1, 1)).days) - _days(activity["first_day"]) + 1) / 365.25
    per_year = count / np.maximum(np.nan_to_num(span_years, nan=1.0), 1 / 12)
    return np.where(count > 0, contribution / np.maximum(per_year, 1e-9), contribution)


Fitted = tuple[FitResult[BGNBD], FitResult[GammaGamma]]


def _fit(h: History, value: np.ndarray) -> Fitted:
    """BG/NBD on everyone seen, Gamma-Gamma on repeat customers with a positive value per purchase."""
    transactions = bgnbd.fit(h.frequency[h.seen], h.recency[h.seen], h.T[h.seen])
    paying = h.seen & (h.frequency > 0) & (value > 0)
    spend = gammagamma.fit(h.frequency[paying], value[paying])
    return transactions, spend


def _expected_value(gg: GammaGamma, frequency: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Gamma-Gamma's shrunk value per purchase; the observed value when the fitted tail has no mean
    (q ≤ 1, which bank contribution — a few very large customers — can produce)."""
    try:
        return gg.conditional_expected_average_spend(frequency, np.maximum(value, 0))
    except CLVInputError:
        return value


def scheduled_fit(activity: pa.Table, day: dt.date) -> Fitted | CLVError:
    """BG/NBD and Gamma-Gamma fitted on the history up to the latest scheduled fit date, or why
    they could not be (the nightly's scores and run detail share one fit)."""
    try:
        return _fit(history(activity, "fit", cuts(day)["fit"]), value_per_purchase(activity, day))
    except CLVError as exc:
        return exc


def score(activity: pa.Table, day: dt.date, fitted: Fitted | CLVError | None = None) -> pa.Table:
    """Per-customer CLV over HORIZON_MONTHS with the parameters of the latest scheduled fit
    (`fitted`, or fitted here).

    When the models cannot be fitted (a tiny or degenerate bank) the model columns are null and
    the reason is in the run detail: a bank without a CLV still gets its other nightly outputs."""
    value = value_per_purchase(activity, day)
    h = history(activity, "now", day)
    columns = {
        "customer_no": activity["customer_no"],
        "branch_code": activity["branch_code"],
        "frequency": pa.array(h.frequency.astype(np.int64)),
        "recency_weeks": pa.array(np.round(h.recency, 4)),
        "T_weeks": pa.array(np.round(h.T, 4)),
        "value_per_purchase": pa.array(np.round(value, 2)),
    }
    fitted = scheduled_fit(activity, day) if fitted is None else fitted
    if isinstance(fitted, CLVError):
        null = pa.nulls(activity.num_rows, pa.float64())
        return pa.table(columns | {"p_alive": null, "expected_purchases": null, "clv": null})
    transactions, spend = fitted
    model = transactions.model
    per_month = expected_monthly_transactions(
        model, h.frequency, h.recency, h.T, months=HORIZON_MONTHS, periods_per_month=WEEKS_PER_MONTH
    )
    discounted = per_month @ (1 + MONTHLY_DISCOUNT) ** -np.arange(1, HORIZON_MONTHS + 1)
    spend_each = np.where(value > 0, _expected_value(spend.model, h.frequency, value), value)
    clv = np.where(h.seen, spend_each * discounted, 0.0)
    p_alive = np.where(h.seen, model.p_alive(h.frequency, h.recency, h.T), 0.0)
    return pa.table(
        columns
        | {
            "p_alive": pa.array(np.round(p_alive, 4)),
            "expected_purchases": pa.array(np.round(np.where(h.seen, per_month.sum(axis=1), 0.0), 4)),
            "clv": pa.array(np.round(clv, 2)),
        }
    )


def diagnostics(activity: pa.Table, day: dt.date, fitted: Fitted | CLVError | None = None) -> dict[str, Any]:
    """The scheduled fit's (`fitted`, or fitted here) estimates and checks, and the holdout check,
    for the run detail."""
    at = cuts(day)
    summary: dict[str, Any] = {"fit_date": at["fit"].isoformat(), "refit_months": REFIT_MONTHS}
    summary["refit_tonight"] = at["fit"] == day
    fitted = scheduled_fit(activity, day) if fitted is None else fitted
    if isinstance(fitted, CLVError):
        summary["error"] = str(fitted)
    else:
        transactions, spend = fitted
        summary |= {"bgnbd": transactions.summary(), "gamma_gamma": spend.summary()}
        summary["gamma_gamma_used"] = spend.model.q > 1
    try:
        summary["holdout"] = holdout_check(activity, day)
    except CLVError as exc:
        summary["holdout"] = {"error": str(exc)}
    return summary


def holdout_check(activity: pa.Table, day: dt.date) -> dict[str, Any]:
    """Fit on history up to HOLDOUT_MONTHS month-ends before D; predicted vs actual purchases per month after."""
    cal = cuts(day)["cal"]
    h = history(activity, "cal", cal)
    transactions, _ = _fit(h, value_per_purchase(activity, day))
    per_month = expected_monthly_transactions(
        transactions.model,
        h.frequency[h.seen],
        h.recency[h.seen],
        h.T[h.seen],
        months=HOLDOUT_MONTHS,
        periods_per_month=WEEKS_PER_MONTH,
    )
    # Oldest holdout month first: days_m2, days_m1, days_m0 for a three-month holdout.
    actual = np.column_stack(
        [activity[f"days_m{k}"].to_numpy(zero_copy_only=False) for k in reversed(range(HOLDOUT_MONTHS))]
    )[h.seen]
    predicted_total, actual_total = float(per_month.sum()), int(actual.sum())
    return {
        "calibration_end": cal.isoformat(),
        "months": [month_end_back(day, k).strftime("%Y-%m") for k in reversed(range(HOLDOUT_MONTHS))],
        "customers": int(h.seen.sum()),
        "predicted": [round(float(v), 1) for v in per_month.sum(axis=0)],
        "actual": [int(v) for v in actual.sum(axis=0)],
        "predicted_total": round(predicted_total, 1),
        "actual_total": actual_total,
        "error_pct": round(100 * (predicted_total - actual_total) / actual_total, 2) if actual_total else None,
        "customer_mae": round(float(np.mean(np.abs(per_month.sum(axis=1) - actual.sum(axis=1)))), 4),
    }
