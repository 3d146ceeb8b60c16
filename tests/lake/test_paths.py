"""A partition counts when the import ledger named by `settings.LAKE_LEDGER` vouches for it."""

import datetime as dt

import pyarrow as pa

from tenure.lake import current_partitions, partition_date, partition_file, vouched_partitions, write_partition

JAN, FEB, MAR = dt.date(2025, 1, 31), dt.date(2025, 2, 28), dt.date(2025, 3, 31)


def ledger(table: str) -> list[tuple[dt.date, str]]:
    """Committed imports: January and February (February's file on disk is from another source)."""
    return [(JAN, "jan"), (FEB, "feb")]


def test_partitions_count_when_the_ledger_vouches_for_their_source(settings, tmp_path):
    settings.LAKE_DIR = tmp_path / "lake"
    settings.LAKE_LEDGER = f"{__name__}.ledger"  # no database: the lake asks only the ledger
    rows = pa.table({"account_id": ["A2", "A1"], "balance": [2.0, 1.0]})
    for day, source in ((JAN, "jan"), (FEB, "feb-replaced"), (MAR, "mar")):
        write_partition("balances", day, rows, source)
    assert vouched_partitions("balances") == [(JAN, "jan")]
    assert current_partitions("balances") == [partition_file("balances", JAN)]
    assert partition_date(partition_file("balances", MAR)) == MAR
