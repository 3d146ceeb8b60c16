"""Nightly offer scoring: every customer's three best product types, with the chance and the
expected value, after the pipeline (a step of `tenure daily`, `offers_score`).

Set-based: the model matrix of the latest month-end for every customer at once, one LightGBM
prediction per product type, the type-level suitability of `recommender.type_suitability` (a type
the customer could not be proposed is never among the three), and one Parquet output per business
date (`<TENURE_HOME>/analytics/offers/business_date=D/data.parquet`, written atomically by
`lake.write_output`). Scoring the same date again with the same model is skipped; a new model
replaces the date's scores. Customers who refused profiling (PIPL art. 24) are not scored.

A score is a ranking, not a proposal: the product shown for a type is chosen on the page by
`suitable` on the day (`selectors.book_offers`), so nothing here can bring an unsuitable product
to a customer.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tenure import lake
from tenure.churn.dataset import month_matrix
from tenure.churn.labels import balance_dates
from tenure.customers.models import Customer
from tenure.ingest.schema import PRODUCT_TYPES
from tenure.offers import recommender
from tenure.offers.config import TOP_K, offers_config

STEP = "offers"
CONFIG_VERSION = 1


class ScoringUnavailable(LookupError):
    """No trained recommender, or no month-end to score on: the user's next step, in words."""


def expected_margin() -> dict[str, float]:
    """Yuan a year the bank expects to earn on one adoption of each product type (configurable)."""
    return {kind: float(v) for kind, v in offers_config()["TYPE_MARGIN"].items()}


def _refusing(numbers: pd.Index) -> np.ndarray:
    """Mask of the customer numbers whose customers refused profiling (a partial index lists them)."""
    refusing = list(Customer.objects.filter(consent_profiling=False).values_list("customer_no", flat=True))
    return pc.is_in(pa.array(numbers.array), value_set=pa.array(refusing, pa.string())).to_numpy(zero_copy_only=False)


def _run_key(day: dt.date, features_on: dt.date) -> str:
    path = recommender.model_path()
    return f"{day.isoformat()}:{features_on.isoformat()}:{path.stat().st_mtime_ns}"


def offers_score(*, day: dt.date) -> dict:
    """Score every customer (but those who refused profiling) for business date `day` with the
    trained recommender on the latest month-end on or before it; idempotent per date and model."""
    model = recommender.load()
    if model is None:
        raise ScoringUnavailable("no recommender yet: run `tenure offers train` first")
    days = balance_dates(upto=day)
    if not days:
        raise ScoringUnavailable(f"no month-end on or before {day} to score on")
    features_on = days[-1]
    run_key = _run_key(day, features_on)
    if lake.read_output(STEP, day, run_key) is not None:
        return {"business_date": day.isoformat(), "skipped": "already scored with this model"}
    con = lake.connect()
    x = month_matrix(con, features_on)
    refusing = _refusing(x.index)
    refused = int(refusing.sum())
    x = x.loc[~refusing] if refused else x
    # In the model's column order once, so scoring reads it without another copy.
    x = recommender.with_holdings(x, recommender.offer_inputs(con, features_on)).reindex(columns=model.columns)
    allowed = recommender.type_suitability(con, features_on, x).to_numpy()
    numbers = x.index
    scores = model.scores(x)[list(PRODUCT_TYPES)].to_numpy("float64")
    del x
    table = offers_table(numbers, scores, allowed)
    lake.write_output(STEP, day, table, run_key=run_key, config_version=CONFIG_VERSION)
    per_type = np.bincount(table["product_type"].combine_chunks().indices.to_numpy(), minlength=len(PRODUCT_TYPES))
    return {
        "business_date": day.isoformat(),
        "features_on": features_on.isoformat(),
        "scored": len(numbers),
        "refused_profiling": refused,
        "offers": table.num_rows,
        "by_type": {kind: int(n) for kind, n in zip(PRODUCT_TYPES, per_type, strict=True) if n},
    }


def top_types(scores: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Per customer (rows), the column indexes of the `TOP_K` best-scored allowed product types,
    best first (-1 where fewer types are allowed)."""
    masked = np.where(allowed, scores, -np.inf)
    k = min(TOP_K, masked.shape[1])
    best = np.argpartition(-masked, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(best, np.argsort(-np.take_along_axis(masked, best, 1), axis=1, kind="stable"), 1)
    return np.where(np.isfinite(np.take_along_axis(masked, order, 1)), order, -1)


def offers_table(numbers: pd.Index, scores: np.ndarray, allowed: np.ndarray) -> pa.Table:
    """One row per (customer, offer): `customer_no`, `rank` (1–3), `product_type`, `score` (the
    chance, 0–1, of opening the type next month) and `expected_value` (score × the type's yearly
    margin, yuan), sorted by customer number (a customer's rows are read by row-group statistics)."""
    top = top_types(scores, allowed)
    rows, ranks = np.nonzero(top >= 0)
    kinds = top[rows, ranks]
    chance = scores[rows, kinds]
    margin = np.array([expected_margin().get(kind, 0.0) for kind in PRODUCT_TYPES])
    numbers_arrow = pa.array(numbers.array, pa.string())
    sorted_at = np.empty(len(numbers), dtype=np.int64)
    sorted_at[pc.sort_indices(numbers_arrow).to_numpy()] = np.arange(len(numbers))
    order = np.lexsort((ranks, sorted_at[rows]))
    rows, ranks, kinds, chance = rows[order], ranks[order], kinds[order], chance[order]
    return pa.table(
        {
            "customer_no": numbers_arrow.take(pa.array(rows)),
            "rank": pa.array(ranks + 1, pa.int8()),
            "product_type": pa.DictionaryArray.from_arrays(
                pa.array(kinds, pa.int8()), pa.array(list(PRODUCT_TYPES), pa.string())
            ),
            "score": pa.array(chance.round(4), pa.float32()),
            "expected_value": pa.array((chance * margin[kinds]).round(2), pa.float64()),
        }
    )


def scored_dates() -> list[dt.date]:
    """Business dates with offer scores, oldest first (the list shows the latest)."""
    folder = lake.output_path(STEP, dt.date(2000, 1, 1)).parent.parent
    if not folder.exists():
        return []
    days = []
    for child in folder.iterdir():
        if child.name.startswith("business_date=") and (child / "data.parquet").exists():
            days.append(dt.date.fromisoformat(child.name.removeprefix("business_date=")))
    return sorted(days)
