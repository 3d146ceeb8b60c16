"""Train, store and apply the churn model (writes: model files, `ChurnModel` and `ChurnScore` rows)."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from tenure import lake
from tenure.churn import compiled
from tenure.churn.alerts import follow_scores
from tenure.churn.config import churn_config
from tenure.churn.dataset import customers_matrix, labelled_month, month_matrix
from tenure.churn.labels import LabelsUnavailable, balance_dates, label_dates
from tenure.churn.model import Trained, calibrated, load, psi, train
from tenure.churn.models import ChurnModel, ChurnScore
from tenure.churn.reasons import top_reasons
from tenure.churn.severity import severities, value_at_risk
from tenure.core.audit import audit
from tenure.customers.models import Customer
from tenure.lake import connect
from tenure.org.models import Staff

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
    known = [d for d in eligible if (end := ends[d]) is not None and end <= as_of]
    if not known:
        raise LabelsUnavailable(f"no month-end before {as_of} has a complete label window")
    validation = known[-1]
    train_days = [d for d in known if d < validation][-train_months:]
    if not train_days:
        raise LabelsUnavailable(f"not enough history before {validation} to train")
    return train_days, validation


def train_model(*, as_of: dt.date, by: Staff | None = None) -> ChurnModel:
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
    compiled.load(trained, path)  # compiled once per model (and CPU), not in the night's scoring
    with transaction.atomic():
        row = ChurnModel.objects.create(version=version, as_of=as_of, path=str(path), metrics=trained.metrics)
        auc = trained.metrics["validation_calibrated"]["roc_auc"]
        audit(
            action="churn.model.train",
            actor=by,
            object_type="churn_model",
            object_id=version,
            detail={"as_of": as_of.isoformat(), "validation_roc_auc": auc},
        )
    return row


def latest_model() -> tuple[ChurnModel, Trained] | None:
    row = ChurnModel.objects.order_by("-version").first()
    return (row, load(Path(row.path).read_bytes())) if row else None


def reasons_of(trained: Trained, matrix: np.ndarray) -> list[list[dict]]:
    """Top reasons per row of a model matrix (`Trained.matrix`): the features that raise the
    calibrated probability by at least `model.min_reason_uplift` (LightGBM per-feature contributions)."""
    if not len(matrix):
        return []
    minimum = churn_config()["model"]["min_reason_uplift"]
    return top_reasons(matrix, trained.uplifts(matrix), trained.columns, minimum=minimum)


def ensure_reasons(scores: list[ChurnScore]) -> None:
    """Fill in the reasons deferred at scoring time, from the scored date's features; saved for the next view."""
    missing = [s for s in scores if s.reasons is None]
    if not missing:
        return
    found = latest_model()
    if found is None:
        return
    row, trained = found
    numbers = {s.customer.customer_no: s for s in missing if s.model_version == row.version}
    if not numbers:
        return
    x = customers_matrix(missing[0].business_date, list(numbers))
    explained = [numbers[n] for n in x.index]
    for score, reasons in zip(explained, reasons_of(trained, trained.matrix(x)), strict=True):
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
    lake.upsert(ChurnScore._meta.db_table, ("customer_id",), rows)
    # Refusals by a subquery, not a join: SQLite scanned a million scores joined to customers (4 s).
    stale = ~Q(business_date=day, model_version=version) | Q(customer__in=_refusals().values("pk"))
    ChurnScore.objects.filter(stale).delete()


def _write_reasons(customer_ids: pd.Series, reasons: list[list[dict]]) -> None:
    """Set the reasons (as JSON text) of the scores just written for these customers (no id: not written)."""
    table = connection.ops.quote_name(ChurnScore._meta.db_table)
    values = [(json.dumps(r), int(i)) for i, r in zip(customer_ids, reasons, strict=True) if pd.notna(i)]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET reasons = %s WHERE customer_id = %s", values)


def _customer_ids() -> pd.Series:
    """Customer ids by customer number, of every customer: read from the unique index on the
    number alone (a plain cursor: the ORM's per-row handling of a million rows cost 3.4 s).
    Refusals of profiling are taken out before scoring (`_refusing`) and their rows deleted in the
    scores' transaction, which also catches one recorded meanwhile."""
    table = Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT customer_no, id FROM {connection.ops.quote_name(table)}")
        frame = pd.DataFrame(cursor.fetchall(), columns=["customer_no", "id"])
    return frame.set_index("customer_no")["id"]


def _refusals():
    """Customers who refused profiling (PIPL art. 24): a partial index lists them, so this reads
    a few thousand index entries, not a million customers."""
    return Customer.objects.filter(consent_profiling=False)


def _refusing(numbers: pd.Index) -> np.ndarray:
    """Mask of the customer numbers whose customers refused profiling, by a hash lookup in Arrow:
    pandas' `isin` on Arrow strings loops in Python."""
    refusing = list(_refusals().values_list("customer_no", flat=True))
    found = pc.is_in(pa.array(numbers.array), value_set=pa.array(refusing, pa.string()))  # no copy of the numbers
    return found.to_numpy(zero_copy_only=False)


def _probability(row: ChurnModel, trained: Trained, matrix: np.ndarray) -> np.ndarray:
    """Calibrated churn probabilities from the compiled booster (`tenure.churn.compiled`)."""
    return calibrated(trained.calibrator, compiled.raw(compiled.load(trained, Path(row.path)), matrix))


def score_date(*, day: dt.date) -> dict:
    """Score every customer with features at `day` with the latest model; replaces `ChurnScore` rows."""
    found = latest_model()
    if found is None:
        raise LookupError("no churn model yet: run `tenure churn train --as-of D` first")
    row, trained = found
    model = churn_config()["model"]
    x = month_matrix(connect(), day)
    # PIPL art. 24: customers who refused profiling are neither scored nor explained (their old
    # rows go with the stale delete in `_write_scores`).
    x = x.loc[~_refusing(x.index)]
    numbers, matrix, contribution = x.index, trained.matrix(x), x["contribution"].to_numpy("float64")
    del x  # the float32 matrix is all that is needed from here: half the peak
    probability = _probability(row, trained, matrix)
    at_risk = value_at_risk(probability, contribution)
    bands = severities(probability, at_risk)  # the band is the one severity (tenure.churn.severity)
    explain = np.flatnonzero(np.isin(bands, model["reasons_at_scoring"]))
    # LightGBM's TreeSHAP releases the GIL: the reasons are worked out on another thread while
    # this one looks up the customer ids and writes the scores. One transaction, so no page sees
    # a score without the reasons it is due.
    with ThreadPoolExecutor(max_workers=1) as pool:
        reasons = pool.submit(reasons_of, trained, matrix[explain])
        ids = _customer_ids().reindex(numbers)
        known = ids.notna().to_numpy()
        scored = pd.DataFrame(
            {
                "customer_id": ids[known].astype("int64").to_numpy(),
                "probability": probability[known].round(4),
                "band": bands[known],
            },
            index=numbers[known],
        )
        with transaction.atomic():
            _write_scores(scored, day, row.version)
            _write_reasons(ids.iloc[explain], reasons.result())
            followed = follow_scores(scored)
    sample = np.asarray(row.metrics.get("score_sample", [0.0]))
    return {
        "business_date": day.isoformat(),
        "model_version": row.version,
        "scored": len(scored),
        "refused_profiling": _refusals().count(),
        "bands": scored.band.value_counts().to_dict(),
        "alerts_rated": followed,
        "psi_vs_training": psi(sample, scored.probability.to_numpy()),
    }
