"""Share of wallet: the bank's AUM over the customer's total financial assets.

The denominator comes, per customer, from the best source available:

* **survey**: total financial assets (yuan) the customer reported in their latest answer to a
  survey question tagged `total_financial_assets`, read from the database through the surveys app
  (`tenure.surveys.selectors.reported_total_assets`). A reported total below what the bank itself
  holds is an outdated answer, so the denominator is never less than AUM;
* **estimate**: AUM plus the competitor holdings the bank knows of (`external_holdings`). Holdings
  the bank does not know of are missing from it, so the estimated share is an *upper bound*.

A customer with neither (no answer, no known competitor holding) has source **unknown** and no share:
their "share" would be AUM / AUM = 100 % by construction, and counting them made every tier's
quartiles read 100 %. They are counted apart. Customers with no assets at all (AUM and denominator
0) have no share and are left out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tenure import lake
from tenure.surveys.selectors import reported_total_assets


def share_of_wallet(customer_no: pd.Series, day: dt.date) -> pd.DataFrame:
    """customer_no, aum, wallet, share (0..1; NaN when unknown) and source ("survey" | "estimate" |
    "unknown") for these customers."""
    features = lake.read_output("features", day, columns=["customer_no", "aum", "competitor_amount"])
    if features is None:
        return pd.DataFrame(columns=["customer_no", "aum", "wallet", "share", "source"])
    # Chosen in Arrow: pandas' `isin` of a million Arrow strings took 4 s (it converts them one by one).
    wanted = pc.is_in(
        features["customer_no"], value_set=pa.array(customer_no, type=features.schema.field("customer_no").type)
    )
    f = features.filter(wanted).to_pandas().merge(reported_total_assets(), on="customer_no", how="left")
    aum = f["aum"].astype(float).clip(lower=0)
    estimate = aum + f["competitor_amount"].astype(float).fillna(0)
    surveyed = f["total_financial_assets"].notna()
    known_outside = f["competitor_amount"].astype(float).fillna(0) > 0
    wallet = np.where(surveyed, np.maximum(f["total_financial_assets"].astype(float), aum), estimate)
    out = pd.DataFrame(
        {
            "customer_no": f["customer_no"],
            "aum": aum,
            "wallet": wallet,
            "source": np.select([surveyed, known_outside], ["survey", "estimate"], "unknown"),
        }
    )
    out = out[out["wallet"] > 0]
    share = (out["aum"] / out["wallet"]).round(4).where(out["source"] != "unknown")
    return out.assign(share=share)


def by_segment(frame: pd.DataFrame, wallet: pd.DataFrame, column: str) -> list[dict[str, Any]]:
    """Distribution of share of wallet per segment over the customers whose wallet is known:
    quartiles, mean, how many answered a survey, and how many have no outside data (`unknown`)."""
    w = wallet.merge(frame[["customer_no", column]], on="customer_no")
    known = w[w["source"] != "unknown"]
    g = known.groupby(column)["share"]
    stats = pd.DataFrame(
        {
            "customers": g.size(),
            "p25": g.quantile(0.25),
            "median": g.median(),
            "p75": g.quantile(0.75),
            "mean": g.mean(),
            "surveyed": known.assign(s=known["source"] == "survey").groupby(column)["s"].sum(),
        }
    )
    unknown = w[w["source"] == "unknown"].groupby(column).size()
    stats = stats.reindex(stats.index.union(unknown.index))
    stats["unknown"] = unknown.reindex(stats.index).fillna(0)
    stats[["customers", "surveyed"]] = stats[["customers", "surveyed"]].fillna(0)
    counts = ("customers", "surveyed", "unknown")
    return [
        {
            "segment": str(s),
            **{k: (int(v) if k in counts else None if pd.isna(v) else round(float(v), 4)) for k, v in r.items()},
        }
        for s, r in stats.iterrows()
    ]
