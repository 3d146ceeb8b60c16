"""Small aggregates of step outputs for the JSON summary and the analyst pages (kept in `NightlyRun.detail`)."""

from __future__ import annotations

import pyarrow as pa


def counts(table: pa.Table, column: str) -> dict[str, int]:
    """Customers per value of `column`, keys sorted."""
    grouped = table.group_by(column).aggregate([("customer_no", "count")])
    pairs = zip(grouped[column].to_pylist(), grouped["customer_no_count"].to_pylist(), strict=True)
    return {str(k): int(v) for k, v in sorted(pairs, key=lambda kv: str(kv[0]))}


def counts_by_branch(table: pa.Table, column: str) -> dict[str, dict[str, int]]:
    """Customers per branch and value of `column`."""
    grouped = table.group_by(["branch_code", column]).aggregate([("customer_no", "count")])
    result: dict[str, dict[str, int]] = {}
    for branch, value, n in zip(
        grouped["branch_code"].to_pylist(),
        grouped[column].to_pylist(),
        grouped["customer_no_count"].to_pylist(),
        strict=True,
    ):
        result.setdefault(str(branch), {})[str(value)] = int(n)
    return {b: dict(sorted(v.items())) for b, v in sorted(result.items())}


def migration(tiers: pa.Table) -> list[list]:
    """[previous tier, tier, customers] for customers who had a previous tier, sorted."""
    known = tiers.filter(tiers["previous_tier"].is_valid())
    grouped = known.group_by(["previous_tier", "asset_tier"]).aggregate([("customer_no", "count")])
    rows = zip(
        grouped["previous_tier"].to_pylist(),
        grouped["asset_tier"].to_pylist(),
        grouped["customer_no_count"].to_pylist(),
        strict=True,
    )
    return sorted([a, b, int(n)] for a, b, n in rows)
