"""One customer's lifetime value, read from the latest nightly "clv" output (for the 360° page)."""

from __future__ import annotations

from typing import Any

from tenure import lake
from tenure.loyalty.report import latest_day

COLUMNS = ("clv", "p_alive", "expected_purchases", "frequency", "value_per_purchase")


def customer_clv(customer_no: str) -> dict[str, Any] | None:
    """The customer's CLV row and its business date, or None before the first CLV run.

    A filtered DuckDB scan of the Parquet output reads only the columns asked for; no table of a
    million rows is loaded into Python for one customer.
    """
    day = latest_day()
    if day is None:
        return None
    path = lake.output_path("clv", day)
    if not path.exists():
        return None
    con = lake.duckdb_connect()
    try:
        row = con.execute(
            f"SELECT {', '.join(COLUMNS)} FROM read_parquet(?) WHERE customer_no = ?", [str(path), customer_no]
        ).fetchone()
    finally:
        con.close()
    return None if row is None else {"business_date": day, **dict(zip(COLUMNS, row, strict=True))}
