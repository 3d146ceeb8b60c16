"""Opening the engines that read the lake: the one place a DuckDB connection is made.

`duckdb_connect` opens every DuckDB connection in Tenure, with the settings its caller names
(threads, memory limit, spill folder, insertion order); `ibis_duckdb` is the same connection behind
Ibis, and `connect` the nightly pipeline's backend: DuckDB (embedded default) or PySpark
(`requirements-spark.txt`), running the same Ibis expressions.

Ibis is imported only when a backend is asked for: an import (`tenure import`) opens DuckDB for
its set operations but never needs Ibis.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from django.conf import settings

if TYPE_CHECKING:
    import ibis

ENGINES = ("duckdb", "spark")


class EngineUnavailable(RuntimeError):
    """The requested engine is not installed (PySpark or Java missing)."""


def duckdb_connect(
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    spill: Path | None = None,
    keep_order: bool = True,
) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection; what is not named keeps DuckDB's default (every core, 80%
    of memory, spills into `.tmp` of the working folder).

    `spill`: the folder DuckDB spills to, created (with its parents) if missing. `keep_order=False`
    lets DuckDB return rows in any order (less memory for big scans and copies).
    """
    config: dict[str, str | bool | int | float | list[str]] = {}
    if threads is not None:
        config["threads"] = threads
    if memory_limit is not None:
        config["memory_limit"] = memory_limit
    if not keep_order:
        config["preserve_insertion_order"] = False
    if spill is not None:
        spill.mkdir(parents=True, exist_ok=True)  # DuckDB creates only the last folder itself
        config["temp_directory"] = str(spill)
    return duckdb.connect(config=config)


def ibis_duckdb(
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    spill: Path | None = None,
    keep_order: bool = True,
) -> ibis.BaseBackend:
    """Ibis on a `duckdb_connect` connection with these settings (Ibis sets its clock to UTC)."""
    import ibis

    con = duckdb_connect(threads=threads, memory_limit=memory_limit, spill=spill, keep_order=keep_order)
    return ibis.duckdb.from_connection(con)


def spill_dir() -> Path:
    """Where the pipeline's DuckDB spills: next to the lake, not whatever folder the command was started from."""
    return Path(settings.LAKE_DIR).parent / "tmp" / "duckdb"


def connect(engine: str = "duckdb") -> ibis.BaseBackend:
    """A fresh backend for the pipeline. DuckDB's memory limit comes from TENURE_DUCKDB_MEMORY (default 3GB)."""
    if engine == "duckdb":
        memory = os.environ.get("TENURE_DUCKDB_MEMORY", "3GB")
        return ibis_duckdb(memory_limit=memory, keep_order=False, spill=spill_dir())
    if engine == "spark":
        import ibis

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
