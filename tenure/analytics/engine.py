"""Engine selection and reading the lake as Ibis tables.

The same expressions run on DuckDB (embedded default) and PySpark (`requirements-spark.txt`).
Lake files are only read through `current_partitions`, so a partition an import left behind
without committing is never seen. Each partition is read on its own, cast to the extract
schema's types and given its business date from its path: the pipeline does not depend on how
the writer typed a column or whether it repeated the partition column inside the file.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt_
import ibis.expr.types as ir

from tenure.ingest.lake import current_partitions
from tenure.ingest.schema import TABLE_BY_NAME, Column

ENGINES = ("duckdb", "spark")


class EngineUnavailable(RuntimeError):
    """The requested engine is not installed (PySpark or Java missing)."""


def connect(engine: str = "duckdb") -> ibis.BaseBackend:
    """A fresh backend. DuckDB's memory limit comes from TENURE_DUCKDB_MEMORY (default 3GB)."""
    if engine == "duckdb":
        memory = os.environ.get("TENURE_DUCKDB_MEMORY", "3GB")
        return ibis.duckdb.connect(memory_limit=memory, preserve_insertion_order=False)
    if engine == "spark":
        return ibis.pyspark.connect(spark_session())
    raise ValueError(f"unknown engine {engine!r}; choose one of {ENGINES}")


def spark_session():
    """A local Spark session (local[2] unless TENURE_SPARK_MASTER says otherwise), UTC clock."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise EngineUnavailable("PySpark is not installed: uv pip install -r requirements-spark.txt") from exc
    if not _java_available():
        raise EngineUnavailable("Java is not installed (PySpark needs a JRE 17)")
    return (
        SparkSession.builder.master(os.environ.get("TENURE_SPARK_MASTER", "local[2]"))
        .appName("tenure-nightly")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", os.environ.get("TENURE_SPARK_MEMORY", "3g"))
        .config("spark.sql.shuffle.partitions", os.environ.get("TENURE_SPARK_PARTITIONS", "8"))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def _java_available() -> bool:
    import shutil

    return bool(os.environ.get("JAVA_HOME") or shutil.which("java"))


def engine_available(engine: str) -> str | None:
    """None when `engine` can run here, else the one-line reason it cannot."""
    if engine != "spark":
        return None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (requirements-spark.txt)"
    return None if _java_available() else "Java is not installed"


def _ibis_type(column: Column) -> dt_.DataType:
    return {
        "str": dt_.string,
        "code": dt_.string,
        "int": dt_.int64,
        "decimal": dt_.Decimal(18, column.scale),
        "date": dt_.date,
        "datetime": dt_.timestamp,
        "bool": dt_.boolean,
    }[column.type]


def partition_date(path: Path) -> dt.date:
    """The business date of a lake file, from its `business_date=YYYY-MM-DD` folder."""
    return dt.date.fromisoformat(path.parent.name.split("=", 1)[1])


def lake_table(
    con: ibis.BaseBackend,
    table: str,
    columns: tuple[str, ...],
    *,
    after: dt.date | None = None,
    upto: dt.date,
) -> ir.Table:
    """The partitions of `table` dated in (after, upto], with `columns` and `business_date`.

    A table with no such partition gives an empty table of the same schema.
    """
    spec = TABLE_BY_NAME[table]
    types = {name: _ibis_type(spec.column(name)) for name in columns}
    schema = ibis.schema({**types, "business_date": dt_.date})
    parts = []
    for path in current_partitions(table):
        day = partition_date(path)
        if day > upto or (after is not None and day <= after):
            continue
        raw = con.read_parquet(str(path))
        parts.append(
            raw.select(
                # An optional column a writer left out reads as nulls of its type.
                **{
                    name: raw[name].cast(kind) if name in raw.columns else ibis.null(kind)
                    for name, kind in types.items()
                },
                business_date=ibis.literal(day, type=dt_.date),
            )
        )
    if not parts:
        return ibis.memtable(schema.to_pyarrow().empty_table())
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


def as_of(rows: ir.Table, key: str) -> ir.Table:
    """A dimension as of its last date: the latest row per `key` over the partitions given."""
    ranked = rows.mutate(_n=ibis.row_number().over(group_by=rows[key], order_by=ibis.desc(rows.business_date)))
    return ranked.filter(ranked._n == 0).drop("_n", "business_date")
