"""The model matrix: pipeline features of a business date, a few ratios, and (for training) labels.

The nightly `features` output is reused when it exists for the date; otherwise the same Ibis
expression is computed in memory, so training on past months does not require re-running the
whole nightly pipeline for each of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tenure import lake
from tenure.analytics.config import active_config
from tenure.analytics.features import Dates, customer_features
from tenure.churn.labels import churn_labels
from tenure.complaints.selectors import complaints_for_signals
from tenure.lake import connect

# Identifiers and dates are not evidence of churn; categoricals are declared so LightGBM splits on them.
NOT_FEATURES = ("customer_no", "branch_code", "rm_employee_no", "last_transaction_on", "next_competitor_maturity")
CATEGORICALS = ("customer_type",)
# Lost-customer interview reason groups that become per-branch share features (tenure.retention.interviews).
LOST_GROUPS = ("service", "price")
COLUMNS_PER_READ = 8


def features_table(
    con: ibis.BaseBackend, day: dt.date, columns: list[str] | None = None, customer_nos: list[str] | None = None
) -> pa.Table:
    """The `features` output of `day` (from disk when the nightly run wrote it), all or `columns`,
    of every customer or of `customer_nos` (on disk, only the row groups holding them are read:
    outputs are sorted by customer number in small row groups)."""
    path = lake.output_path("features", day)
    if path.exists():
        filters = [("customer_no", "in", customer_nos)] if customer_nos is not None else None
        return pq.read_table(path, columns=columns, filters=filters).replace_schema_metadata(None)
    expr = customer_features(con, Dates.for_day(day), active_config().rules)
    if customer_nos is not None:
        expr = expr.filter(expr.customer_no.isin(customer_nos))
    return (expr.select(*columns) if columns else expr).to_pyarrow()


def features_frame(con: ibis.BaseBackend, day: dt.date, columns: list[str] | None = None) -> pd.DataFrame:
    """The `features` of `day` as pandas, money as float64 yuan: a decimal column would become one
    Python object per value. Read and converted a few columns at a time, so a million customers'
    decimals are never all in memory beside their float copy (scoring peak at 1M: 2.3 → 1.8 GB),
    while each read still decodes its columns on both cores (one column a read: 1.3 s → 0.7 s)."""
    path = lake.output_path("features", day)
    if not path.exists():
        return _as_float_frame(features_table(con, day, columns))
    parquet = pq.ParquetFile(path)
    names = columns or parquet.schema_arrow.names
    groups = [names[i : i + COLUMNS_PER_READ] for i in range(0, len(names), COLUMNS_PER_READ)]
    return pd.concat([_as_float_frame(parquet.read(columns=group)) for group in groups], axis=1)


def _as_float_frame(table: pa.Table) -> pd.DataFrame:
    converted = [pc.cast(c, pa.float64()) if pa.types.is_decimal(c.type) else c for c in table.columns]
    return pa.table(converted, names=table.column_names).to_pandas(split_blocks=True, self_destruct=True)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den, NaN where den is 0 or unknown (LightGBM treats NaN as missing)."""
    den = den.where(den > 0)
    return num / den


def model_matrix(
    features: pd.DataFrame, day: dt.date, lost: pd.DataFrame | None = None, complaints: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Numeric model inputs indexed by customer_no (money as yuan), float32 like LightGBM's own
    bins: half the memory of float64 for a million customers × a year of month-ends.

    `lost` (index branch code, one column per lost-reason group share) carries what lost-customer
    interviews said before `day`; branches without interviews get NaN (missing, not zero).
    `complaints` is `complaints_for_signals(day)`: a customer not in it has no open complaint and
    none resolved late lately (0, a known fact, not missing); None leaves those columns out.
    """
    f = features.set_index("customer_no")
    x: dict[str, pd.Series] = {}
    for column in f.columns:
        if column in NOT_FEATURES:
            continue
        if column in CATEGORICALS:
            x[column] = f[column].astype("category")
        else:
            x[column] = pd.to_numeric(f[column].astype("float64"), errors="coerce")
    for k in (1, 3, 6, 12):
        x[f"aum_ratio_{k}m"] = _ratio(x["aum"], x[f"aum_{k}m"])
    x["adb_ratio"] = _ratio(x["avg_daily_aum_3m"], x["avg_daily_aum_3m_prev"])
    x["time_deposit_share"] = _ratio(x["bal_time_deposit"], x["aum"])
    maturity = pd.to_datetime(f["next_competitor_maturity"])
    x["days_to_competitor_maturity"] = (maturity - pd.Timestamp(day)).dt.days.astype("float64")
    x["outflow_share_1m"] = _ratio(x["outflow_1m"], x["aum_1m"])
    x["outflow_vs_prev"] = _ratio(x["outflow_1m"], x["outflow_prev3"])
    x["card_vs_prev"] = _ratio(x["card_1m"], x["card_prev3"])
    branches = f["branch_code"].astype("category")  # each branch's share looked up once, not per customer
    for group in LOST_GROUPS:
        column = f"branch_lost_{group}_share"
        shares = lost[column] if lost is not None and column in lost else pd.Series(dtype="float64")
        x[column] = branches.map(shares).astype("float64")
    if complaints is not None:
        x.update(complaint_features(complaints, f.index))
    return pd.DataFrame({c: v if c in CATEGORICALS else v.astype("float32") for c, v in x.items()}, index=f.index)


COMPLAINT_FEATURES = {  # model input: column of `complaints_for_signals`
    "complaints_open": "open_complaints",
    "complaint_max_severity": "max_open_severity",
    "complaint_resolved_late": "resolved_late_recent",
}


def complaint_features(complaints: pd.DataFrame, customers: pd.Index) -> dict[str, pd.Series]:
    """Open complaints, the highest open severity (0 none … 4 critical) and whether one was resolved
    late lately, per customer of `customers` (from `complaints_for_signals`; docs/complaints.md)."""
    c = complaints.set_index("customer_no").reindex(customers)
    return {name: c[column].astype("float64").fillna(0.0) for name, column in COMPLAINT_FEATURES.items()}


def month_matrix(con: ibis.BaseBackend, day: dt.date) -> pd.DataFrame:
    """The model matrix of every customer with features at `day`."""
    return model_matrix(features_frame(con, day), day, lost_reasons(day), complaints_for_signals(day))


def month_matrix_chunks(con: ibis.BaseBackend, day: dt.date, rows: int) -> Iterator[pd.DataFrame]:
    """`month_matrix` of `day`, `rows` customers at a time in customer-number order (the output's), so
    a scorer of a million customers holds one chunk's features and copies, not the whole bank's."""
    complaints, lost = complaints_for_signals(day), lost_reasons(day)
    path = lake.output_path("features", day)
    if path.exists():
        batches = pq.ParquetFile(path).iter_batches(batch_size=rows)
        tables = (pa.Table.from_batches([b]).replace_schema_metadata(None) for b in batches)
    else:
        table = features_table(con, day)
        tables = (table.slice(start, rows) for start in range(0, table.num_rows, rows))
    for part in tables:
        yield model_matrix(_as_float_frame(part), day, lost, complaints)


def customers_matrix(day: dt.date, customer_nos: list[str]) -> pd.DataFrame:
    """The model matrix of a few customers at `day` (a page's customers cost milliseconds)."""
    table = features_table(connect(), day, customer_nos=customer_nos)
    complaints = complaints_for_signals(day, customer_nos)
    return model_matrix(_as_float_frame(table), day, lost_reasons(day), complaints)


def lost_reasons(day: dt.date) -> pd.DataFrame:
    """Per branch, the shares of lost customers citing service and price in the year before `day`:
    retention's exit interviews feed the model back (MISSION S5). Retention builds on churn, so
    this one read of it is imported when called (docs/architecture.md)."""
    from tenure.retention.selectors import lost_reason_shares

    return lost_reason_shares(before=day)


def labelled_month(con: ibis.BaseBackend, day: dt.date, rules: dict) -> tuple[pd.DataFrame, pd.Series]:
    """(X, y) for the labelled population of `day` (raises LabelsUnavailable for recent dates)."""
    labels = churn_labels(con, day, rules).to_pandas().set_index("customer_no")
    x = month_matrix(con, day)
    x = x.loc[x.index.intersection(labels.index)].sort_index()
    return x, labels.loc[x.index, "churned"].astype(np.int8)
