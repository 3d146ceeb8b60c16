"""From a raw transaction log to the frequency/recency/T/monetary_value summary the models read.

Conventions (Fader, Hardie and Lee's CDNOW preparation, which the tests reproduce exactly):

* purchases on the same calendar day by the same customer are one purchase (values summed): the
  models are about purchase occasions, and a basket split into several rows is still one visit;
* the first purchase is the acquisition, not a repeat: `frequency` counts the later purchase days
  up to and including the calibration end date, and `monetary_value` is the mean value of those
  repeat purchases (0 when there is none) — the first is excluded because it is often atypical;
* `recency` is first → last purchase and `T` is first purchase → calibration end, in periods:
  a week is 7 days, a month is 365.25/12 = 30.4375 days (fractional months keep the day-level
  timing instead of rounding everyone to month ends);
* customers whose first purchase is after the calibration end are not in the summary.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from tenure.clv.errors import CLVInputError

DAYS_PER_PERIOD = {"week": 7.0, "month": 365.25 / 12}

Period = Literal["week", "month"]


def periods_per_month(period: Period) -> float:
    """How many model periods make one calendar month: 4.348 for weeks, 1 for months."""
    return DAYS_PER_PERIOD["month"] / DAYS_PER_PERIOD[period]


def from_transactions(
    transactions: pd.DataFrame,
    *,
    customer_col: str,
    date_col: str,
    calibration_end: str | pd.Timestamp,
    period: Period = "week",
    value_col: str | None = None,
) -> pd.DataFrame:
    """One row per customer, indexed by customer id: frequency, recency, T (periods) and, with
    `value_col`, monetary_value (mean repeat-purchase value, in the log's currency — yuan)."""
    if period not in DAYS_PER_PERIOD:
        raise CLVInputError("period", f"must be one of {', '.join(DAYS_PER_PERIOD)}, not {period!r}")
    columns = [customer_col, date_col] + ([value_col] if value_col else [])
    for column in columns:
        if column not in transactions.columns:
            raise CLVInputError(column, f"not in the transaction log (columns: {', '.join(map(str, transactions))})")
    if transactions.empty:
        raise CLVInputError(customer_col, "no transactions (the log is empty)")
    log = pd.DataFrame({"customer": transactions[customer_col].to_numpy()})
    log["day"] = _days(transactions[date_col], date_col)
    if log["customer"].isna().any():
        raise CLVInputError(customer_col, f"{int(log['customer'].isna().sum())} transaction(s) have no customer id")
    end = _days(pd.Series([calibration_end]), "calibration_end")[0]
    if value_col:
        log["value"] = pd.to_numeric(transactions[value_col], errors="coerce").to_numpy()
        bad = ~np.isfinite(log["value"].to_numpy())
        if bad.any():
            raise CLVInputError(value_col, f"{int(bad.sum())} transaction(s) have a missing or non-numeric value")
    log = log[log["day"] <= end]
    if log.empty:
        raise CLVInputError(date_col, f"no transaction on or before the calibration end {calibration_end}")
    # One purchase per customer-day; `sort=True` orders days within each customer.
    visits = log.groupby(["customer", "day"], sort=True).sum().reset_index()
    grouped = visits.groupby("customer", sort=True)["day"]
    first, last, count = grouped.min(), grouped.max(), grouped.size()
    days = DAYS_PER_PERIOD[period]
    out = pd.DataFrame(
        {
            "frequency": (count - 1).astype(float),
            "recency": (last - first) / days,
            "T": (end - first) / days,
        }
    )
    if value_col:
        is_first = visits["day"].to_numpy() == first.reindex(visits["customer"]).to_numpy()
        repeat = visits[~is_first].groupby("customer")["value"].mean()
        out["monetary_value"] = repeat.reindex(out.index, fill_value=0.0)
    out.index.name = customer_col
    return out


def _days(dates: pd.Series, column: str) -> np.ndarray:
    """Calendar dates as whole days since 1970-01-01 (time of day dropped: purchases are per day)."""
    text = dates.astype(str).str.strip()
    try:
        parsed = pd.to_datetime(text, format="ISO8601")
    except (ValueError, TypeError) as exc:
        raise CLVInputError(column, f"not a date in ISO form (YYYY-MM-DD or YYYYMMDD): {exc}") from None
    if parsed.isna().any():
        raise CLVInputError(column, f"{int(parsed.isna().sum())} missing date(s)")
    return parsed.dt.floor("D").to_numpy().astype("datetime64[D]").astype(np.int64)
