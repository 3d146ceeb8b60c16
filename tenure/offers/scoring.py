"""Nightly offer scoring: every customer's three best product types, with the chance and the
expected value, after the pipeline (a step of `tenure daily`, `offers_score`).

Set-based, a chunk of customers at a time (`CHUNK`, in customer-number order, so the peak memory
does not grow with the bank): the model matrix of the latest month-end, one LightGBM prediction per
product type, the type-level suitability of `recommender.type_suitability` (a type the customer
could not be proposed is never among the three), and one Parquet output per business
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
from tenure.churn.dataset import month_matrix_chunks
from tenure.churn.labels import balance_dates
from tenure.customers.models import Customer
from tenure.ingest.schema import PRODUCT_TYPES
from tenure.offers import recommender
from tenure.offers.config import TOP_K, offers_config

STEP = "offers"
CONFIG_VERSION = 1
CHUNK = 50_000  # customers scored at a time: the peak holds one chunk's matrix and its copies


class ScoringUnavailable(LookupError):
    """No trained recommender, or no month-end to score on: the user's next step, in words."""


def expected_margin() -> dict[str, float]:
    """Yuan a year the bank expects to earn on one adoption of each product type (configurable)."""
    return {kind: float(v) for kind, v in offers_config()["TYPE_MARGIN"].items()}


def _refusing() -> pa.Array:
    """The customer numbers of the customers who refused profiling (a partial index lists them)."""
    refusing = Customer.objects.filter(consent_profiling=False).values_list("customer_no", flat=True)
    return pa.array(list(refusing), pa.string())


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
    refusing = _refusing()
    con = lake.connect()
    inputs = recommender.offer_inputs(con, features_on)  # a few columns: once for the whole bank
    recommender.inputs_keep(features_on, inputs)
    con.disconnect()  # DuckDB keeps what that query used until its database closes (1M: ~0.5 GB)
    con = lake.connect()
    parts, scored, refused = [], 0, 0
    for x in month_matrix_chunks(con, features_on, CHUNK):
        mask = pc.is_in(pa.array(x.index.array), value_set=refusing).to_numpy(zero_copy_only=False)
        refused += int(mask.sum())
        x = x.loc[~mask] if mask.any() else x
        if not len(x):
            continue
        x = recommender.with_holdings(x, inputs).reindex(columns=model.columns)  # the model's order
        allowed = recommender.type_suitability(con, features_on, x).to_numpy()
        scores = model.scores(x)[list(PRODUCT_TYPES)].to_numpy("float64")
        parts.append(offers_table(x.index, scores, allowed))
        scored += len(x)
    if not parts:  # nobody to score: an empty output still says the date was scored
        nothing = np.zeros((0, len(PRODUCT_TYPES)))
        parts.append(offers_table(pd.Index([]), nothing, nothing.astype(bool)))
    table = pa.concat_tables(parts)  # chunks in customer order: still sorted by customer number
    lake.write_output(STEP, day, table, run_key=run_key, config_version=CONFIG_VERSION)
    per_type = np.bincount(table["product_type"].combine_chunks().indices.to_numpy(), minlength=len(PRODUCT_TYPES))
    return {
        "business_date": day.isoformat(),
        "features_on": features_on.isoformat(),
        "scored": scored,
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
