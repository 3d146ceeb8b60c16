"""Train, store and apply the churn model (writes: model files, `ChurnModel` and `ChurnScore` rows)."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from tenure.analytics import store
from tenure.analytics.engine import connect
from tenure.churn.config import churn_config
from tenure.churn.dataset import labelled_month, month_matrix
from tenure.churn.labels import LabelsUnavailable, balance_dates, label_dates
from tenure.churn.model import Trained, load, psi, train
from tenure.churn.models import ChurnModel, ChurnScore
from tenure.churn.reasons import top_reasons
from tenure.core.audit import audit
from tenure.customers.models import Customer

MIN_HISTORY_MONTHS = 1  # a month-end needs one earlier month-end for "vs last month" features


def models_dir() -> Path:
    return Path(settings.LAKE_DIR).parent / "churn" / "models"


def training_plan(as_of: dt.date, rules: dict, train_months: int) -> tuple[list[dt.date], dt.date]:
    """(training month-ends, validation month-end) whose labels are fully known by `as_of`.

    Validation is the latest month-end whose label window ends by `as_of`; training uses the
    `train_months` month-ends before it. Their label windows may overlap the validation month's
    (a 13-month bank could not train otherwise) but never reach past `as_of`.
    """
    days = balance_dates(upto=as_of)
    eligible = days[MIN_HISTORY_MONTHS:]

    def window_end(day: dt.date) -> dt.date | None:
        try:
            return label_dates(day, rules)[1][-1]
        except LabelsUnavailable:
            return None

    ends = {d: window_end(d) for d in eligible}
    known = [d for d in eligible if ends[d] is not None and ends[d] <= as_of]
    if not known:
        raise LabelsUnavailable(f"no month-end before {as_of} has a complete label window")
    validation = known[-1]
    train_days = [d for d in known if d < validation][-train_months:]
    if not train_days:
        raise LabelsUnavailable(f"not enough history before {validation} to train")
    return train_days, validation


def train_model(*, as_of: dt.date, by=None) -> ChurnModel:
    """Train, calibrate, measure and store the next model version (file + DB row, audited)."""
    config = churn_config()
    con = connect()
    train_days, validation = training_plan(as_of, config["label"], config["model"]["train_months"])
    months = [(d, *labelled_month(con, d, config["label"])) for d in train_days]
    trained = train(months, labelled_month(con, validation, config["label"]), config["model"])
    trained.metrics["validation_date"] = validation.isoformat()
    trained.metrics["definition"] = config["label"]
    version = (ChurnModel.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    path = models_dir() / f"v{version}.pkl"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(trained.dump())
    tmp.rename(path)
    with transaction.atomic():
        row = ChurnModel.objects.create(version=version, as_of=as_of, path=str(path), metrics=trained.metrics)
        auc = trained.metrics["validation_calibrated"]["roc_auc"]
        audit(action="churn.model.train", actor=by, object_type="churn_model", object_id=version,
              detail={"as_of": as_of.isoformat(), "validation_roc_auc": auc})  # fmt: skip
    return row


def latest_model() -> tuple[ChurnModel, Trained] | None:
    row = ChurnModel.objects.order_by("-version").first()
    return (row, load(Path(row.path).read_bytes())) if row else None


def band(probability: np.ndarray, bands: dict) -> np.ndarray:
    """ "high" / "medium" / "low" by the configured probability cut-offs."""
    return np.select([probability >= bands["high"], probability >= bands["medium"]], ["high", "medium"], "low")


def reasons_of(trained: Trained, x: pd.DataFrame) -> list[list[dict]]:
    """Top reasons per row of the model matrix `x` (LightGBM per-feature contributions)."""
    if x.empty:
        return []
    numeric = x[trained.columns].apply(lambda s: s.cat.codes if isinstance(s.dtype, pd.CategoricalDtype) else s)
    return top_reasons(numeric, trained.contributions(x), trained.columns)


def matrix_path(day: dt.date) -> Path:
    return models_dir().parent / "matrices" / f"{day.isoformat()}.parquet"


def _keep_matrix(x: pd.DataFrame, day: dt.date) -> None:
    """The scored model matrix, sorted by customer number in small row groups, so one customer's row
    is found by its row-group statistics when their deferred reasons are first needed. Only the
    latest date's is kept."""
    path = matrix_path(day)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(x.sort_index(), preserve_index=True)
    staging = path.with_suffix(".staging")
    pq.write_table(table, staging, row_group_size=16_384, compression="zstd")
    staging.replace(path)
    for old in path.parent.glob("*.parquet"):
        if old != path:
            old.unlink(missing_ok=True)


def ensure_reasons(scores: list[ChurnScore]) -> None:
    """Fill in the reasons deferred at scoring time, from the stored matrix; saved for the next view."""
    missing = [s for s in scores if s.reasons is None]
    if not missing:
        return
    found = latest_model()
    path = matrix_path(missing[0].business_date)
    if found is None or not path.exists():
        return
    row, trained = found
    numbers = {s.customer.customer_no: s for s in missing if s.model_version == row.version}
    if not numbers:
        return
    x = pq.read_table(path, filters=[("customer_no", "in", list(numbers))]).to_pandas()
    explained = [numbers[n] for n in x.index]
    for score, reasons in zip(explained, reasons_of(trained, x), strict=True):
        score.reasons = reasons
    ChurnScore.objects.bulk_update(explained, ["reasons"])


def _write_scores(scored: pd.DataFrame, day: dt.date, version: int) -> None:
    """Upsert `scored` (customer_id, probability, band) by customer with the pipeline's bulk upsert,
    reasons NULL (set for the explained bands by `_write_reasons` in the same transaction), then
    delete the rows of customers not scored now (refusals, even same-day ones; leavers): not a
    million model instances, nor a delete of every row before re-inserting it (3.7 s on SQLite at 1M)."""
    rows = pa.table(
        {
            "customer_id": pa.array(scored.customer_id.to_numpy(), pa.int64()),
            "business_date": pa.array([day] * len(scored), pa.date32()),
            "model_version": pa.array([version] * len(scored), pa.int64()),
            "probability": pa.array(scored.probability.to_numpy(), pa.float64()),
            "band": pa.array(scored.band.tolist(), pa.string()),
            "reasons": pa.nulls(len(scored), pa.string()),
        }
    )
    store.upsert(ChurnScore._meta.db_table, ("customer_id",), rows)
    # Refusals by a subquery, not a join: SQLite scanned a million scores joined to customers (4 s).
    refusing = Customer.objects.filter(consent_profiling=False).values("pk")
    ChurnScore.objects.filter(~Q(business_date=day, model_version=version) | Q(customer__in=refusing)).delete()


def _write_reasons(customer_ids: pd.Series, reasons: list[list[dict]]) -> None:
    """Set the reasons (as JSON text) of the scores just written for these customers."""
    table = connection.ops.quote_name(ChurnScore._meta.db_table)
    values = [(json.dumps(r), int(i)) for i, r in zip(customer_ids, reasons, strict=True)]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET reasons = %s WHERE customer_id = %s", values)


def _consenting_ids() -> pd.Series:
    """Customer ids by customer number, for every customer who has not refused profiling (one
    query, not an IN list of a million numbers: SQLite caps bound variables; a plain cursor, as
    the ORM's per-row handling of a million rows cost 3.4 s)."""
    table = Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT customer_no, id FROM {connection.ops.quote_name(table)} WHERE consent_profiling")
        frame = pd.DataFrame(cursor.fetchall(), columns=["customer_no", "id"])
    return frame.set_index("customer_no")["id"]


def score_date(*, day: dt.date) -> dict:
    """Score every customer with features at `day` with the latest model; replaces `ChurnScore` rows."""
    found = latest_model()
    if found is None:
        raise LookupError("no churn model yet: run `tenure churn train --as-of D` first")
    row, trained = found
    config = churn_config()
    x = month_matrix(connect(), day)
    # PIPL art. 24: customers who refused profiling are not scored (their old rows go with the
    # delete below), nor is their model row kept. A reindex, not `isin`: pandas' `isin` on
    # Arrow strings loops in Python over the million values.
    ids = _consenting_ids().reindex(x.index)
    x = x.loc[ids.notna().to_numpy()]
    model = config["model"]
    probability = trained.probability(x)
    scored = pd.DataFrame(
        {"customer_id": ids.dropna().astype("int64").to_numpy(), "probability": probability.round(4),
         "band": band(probability, model["risk_bands"])},
        index=x.index,
    )  # fmt: skip
    explain = np.isin(scored.band, model["reasons_at_scoring"])
    # LightGBM and Parquet release the GIL: the reasons (TreeSHAP) and the kept matrix are worked
    # out on the other core while this thread writes the scores. One transaction, so no page sees
    # a score without the reasons it is due.
    with ThreadPoolExecutor(max_workers=2) as pool:
        reasons = pool.submit(reasons_of, trained, x[explain])
        kept = pool.submit(_keep_matrix, x, day)
        with transaction.atomic():
            _write_scores(scored, day, row.version)
            _write_reasons(scored.customer_id[explain], reasons.result())
        kept.result()
    sample = np.asarray(row.metrics.get("score_sample", [0.0]))
    return {
        "business_date": day.isoformat(),
        "model_version": row.version,
        "scored": len(scored),
        "refused_profiling": Customer.objects.filter(consent_profiling=False).count(),
        "bands": scored.band.value_counts().to_dict(),
        "psi_vs_training": psi(sample, scored.probability.to_numpy()),
    }
