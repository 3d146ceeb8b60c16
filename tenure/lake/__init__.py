"""The lake: the Parquet facts under TENURE_HOME, the engines that read them, the nightly outputs and
the sorted serving copy. Apps read (and the import and the nightly run write) through the names
below only, as `from tenure import lake` or `from tenure.lake import name`; the modules inside are
this package's own.

- paths (`paths.py`): ``<LAKE_DIR>/<table>/business_date=D/data.parquet``, written atomically; a
  partition counts only when the import ledger vouches for it (`settings.LAKE_LEDGER`: ingest's).
- connections (`connections.py`): `duckdb_connect` is the one place a DuckDB connection is opened;
  `ibis_duckdb` puts Ibis on one; `connect` gives the nightly pipeline its DuckDB or Spark backend.
- outputs (`store.py`): ``<TENURE_HOME>/analytics/<step>/business_date=D/data.parquet``, their
  digests, diff baselines and the bulk upsert into the operational DB.
- serving copy (`serving.py`): one sorted file per table under ``<TENURE_HOME>/serving``.
- per-customer reads (`reads.py`): balances and transactions of given (already scoped) accounts.

The package sits just above `core`: it imports `core` and Django's settings and database, no app.
Importing it loads none of its modules: each name loads its module (and DuckDB or pyarrow) the first
time it is used (`__getattr__`), so set-up and commands that never read the lake do without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tenure.lake.connections import (
        ENGINES,
        EngineUnavailable,
        connect,
        duckdb_connect,
        engine_available,
        ibis_duckdb,
    )
    from tenure.lake.paths import (
        DIGEST_KEY,
        LAYOUT,
        current_partitions,
        lake_dir,
        partition_date,
        partition_digest,
        partition_dir,
        partition_file,
        pinned_partitions,
        remove_partition,
        vouched_partitions,
        write_partition,
    )
    from tenure.lake.reads import (
        activity_between,
        aum_by_owner,
        balances_by_date,
        channel_usage,
        month_end_partitions,
        repayments_due,
        transactions_page,
    )
    from tenure.lake.serving import serving_build_all
    from tenure.lake.store import (
        analytics_dir,
        canonical,
        changed_rows,
        digest,
        output_path,
        prune_baselines,
        publish_baseline,
        published_path,
        read_output,
        upsert,
        write_output,
    )

__all__ = [
    # paths
    "DIGEST_KEY",
    "LAYOUT",
    "current_partitions",
    "lake_dir",
    "partition_date",
    "partition_digest",
    "partition_dir",
    "partition_file",
    "pinned_partitions",
    "remove_partition",
    "vouched_partitions",
    "write_partition",
    # connections
    "ENGINES",
    "EngineUnavailable",
    "connect",
    "duckdb_connect",
    "engine_available",
    "ibis_duckdb",
    # outputs
    "analytics_dir",
    "canonical",
    "changed_rows",
    "digest",
    "output_path",
    "prune_baselines",
    "publish_baseline",
    "published_path",
    "read_output",
    "upsert",
    "write_output",
    # serving copy
    "serving_build_all",
    # per-customer reads
    "activity_between",
    "aum_by_owner",
    "balances_by_date",
    "channel_usage",
    "month_end_partitions",
    "repayments_due",
    "transactions_page",
]

# Each public name's module, loaded on first use: DuckDB and pyarrow cost every process a tenth of a second
# of set-up (issue 27), and most commands and pages never touch the lake.
_HOMES = {
    "connections": ("ENGINES", "EngineUnavailable", "connect", "duckdb_connect", "engine_available", "ibis_duckdb"),
    "paths": (
        "DIGEST_KEY",
        "LAYOUT",
        "current_partitions",
        "lake_dir",
        "partition_date",
        "partition_digest",
        "partition_dir",
        "partition_file",
        "pinned_partitions",
        "remove_partition",
        "vouched_partitions",
        "write_partition",
    ),
    "reads": (
        "activity_between",
        "aum_by_owner",
        "balances_by_date",
        "channel_usage",
        "month_end_partitions",
        "repayments_due",
        "transactions_page",
    ),
    "serving": ("serving_build_all",),
    "store": (
        "analytics_dir",
        "canonical",
        "changed_rows",
        "digest",
        "output_path",
        "prune_baselines",
        "publish_baseline",
        "published_path",
        "read_output",
        "upsert",
        "write_output",
    ),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> object:
    """A public name, imported from its module the first time it is asked for (PEP 562)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
