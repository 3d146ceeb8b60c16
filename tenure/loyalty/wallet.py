"""Share of wallet: the bank's AUM over the customer's total financial assets.

The denominator comes, per customer, from the best source available:

* **survey**: total financial assets the customer reported, from the input table
  ``<TENURE_HOME>/inputs/survey_assets.csv`` (columns ``customer_no,total_financial_assets`` in
  yuan; surveys come later, the table is accepted now). A reported total below what the bank itself
  holds is an outdated answer, so the denominator is never less than AUM;
* **estimate**: AUM plus the competitor holdings the bank knows of (`external_holdings`). Holdings
  the bank does not know of are missing from it, so the estimated share is an *upper bound*.

Customers with no assets at all (AUM and denominator 0) have no share and are left out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings

from tenure.analytics import store

SURVEY_FILE = Path("inputs") / "survey_assets.csv"


def survey_assets() -> pd.DataFrame:
    """The survey input table (empty when there is none), one row per customer (the last wins)."""
    path = Path(settings.TENURE_HOME) / SURVEY_FILE
    if not path.exists():
        return pd.DataFrame({"customer_no": pd.Series(dtype=str), "total_financial_assets": pd.Series(dtype=float)})
    table = pd.read_csv(path, dtype={"customer_no": str})
    table["total_financial_assets"] = pd.to_numeric(table["total_financial_assets"], errors="coerce")
    return table.dropna().drop_duplicates("customer_no", keep="last")[["customer_no", "total_financial_assets"]]


def share_of_wallet(customer_no: pd.Series, day: dt.date) -> pd.DataFrame:
    """customer_no, aum, wallet, share (0..1) and source ("survey" | "estimate") for these customers."""
    features = store.read_output("features", day)
    if features is None:
        return pd.DataFrame(columns=["customer_no", "aum", "wallet", "share", "source"])
    f = features.select(["customer_no", "aum", "competitor_amount"]).to_pandas()
    f = f[f["customer_no"].isin(customer_no)].merge(survey_assets(), on="customer_no", how="left")
    aum = f["aum"].astype(float).clip(lower=0)
    estimate = aum + f["competitor_amount"].astype(float).fillna(0)
    surveyed = f["total_financial_assets"].notna()
    wallet = np.where(surveyed, np.maximum(f["total_financial_assets"].astype(float), aum), estimate)
    out = pd.DataFrame(
        {
            "customer_no": f["customer_no"],
            "aum": aum,
            "wallet": wallet,
            "source": np.where(surveyed, "survey", "estimate"),
        }
    )
    out = out[out["wallet"] > 0]
    return out.assign(share=(out["aum"] / out["wallet"]).round(4))


def by_segment(frame: pd.DataFrame, wallet: pd.DataFrame, column: str) -> list[dict[str, Any]]:
    """Distribution of share of wallet per segment: quartiles, mean and the share surveyed."""
    w = wallet.merge(frame[["customer_no", column]], on="customer_no")
    g = w.groupby(column)["share"]
    stats = pd.DataFrame(
        {
            "customers": g.size(),
            "p25": g.quantile(0.25),
            "median": g.median(),
            "p75": g.quantile(0.75),
            "mean": g.mean(),
            "surveyed": w.assign(s=w["source"] == "survey").groupby(column)["s"].sum(),
        }
    )
    return [
        {
            "segment": str(s),
            **{k: (int(v) if k in ("customers", "surveyed") else round(float(v), 4)) for k, v in r.items()},
        }
        for s, r in stats.iterrows()
    ]
