"""Chart data for the analyst page, built from the nightly aggregates in `NightlyRun.detail`.

Pure functions: they take the summaries of `selectors` and return JSON-ready dicts that
`static/analytics/charts.js` turns into ECharts options (no inline script: the CSP forbids it),
plus the same numbers as table rows so the page reads without JavaScript and tests can check them.
"""

from __future__ import annotations

from typing import Any

from tenure.analytics.config import LEVEL_ORDER, TIER_ORDER
from tenure.analytics.models import AssetTier, ValueLevel

TIER_LABELS = dict(AssetTier.choices)
LEVEL_LABELS = dict(ValueLevel.choices)


def tier_label(tier: str) -> str:
    return str(TIER_LABELS.get(tier, tier))


def pyramid_chart(counts: dict[str, int]) -> dict[str, Any]:
    """Customers per value level, key (the top) first: a funnel drawn as a pyramid."""
    return {"items": [{"name": str(LEVEL_LABELS[level]), "value": counts.get(level, 0)} for level in LEVEL_ORDER]}


def migration_matrix(migration: list[list]) -> list[dict[str, Any]]:
    """Rows of last month's tier (highest first) with customers per this month's tier, in `TIER_ORDER`."""
    cells = {(a, b): n for a, b, n in migration}
    return [{"tier": tier_label(a), "cells": [cells.get((a, b), 0) for b in TIER_ORDER], "code": a} for a in TIER_ORDER]


def migration_chart(migration: list[list]) -> dict[str, Any]:
    """A heat map: x = this month's tier, y = last month's tier; diagonal = unchanged."""
    index = {tier: i for i, tier in enumerate(TIER_ORDER)}
    labels = [tier_label(t) for t in TIER_ORDER]
    cells = [[index[b], index[a], n] for a, b, n in migration if a in index and b in index]
    return {"labels": labels, "cells": cells, "max": max((c[2] for c in cells), default=0)}


def percent(share: float | None) -> str:
    """0.9154 -> "91.5" (for "the top 20% earn 91.5%")."""
    return "" if share is None else f"{share * 100:.1f}"


def pareto_chart(pareto: dict[str, Any] | None) -> dict[str, Any]:
    """Cumulative share of contribution (%) against share of customers (%), ranked by contribution."""
    curve = (pareto or {}).get("curve") or []
    points = [[0.0, 0.0]] + [[round(x * 100, 2), round((y or 0) * 100, 2)] for x, y in curve]
    return {"points": points}


def branch_rows(
    by_branch: dict[str, dict[str, int]], names: dict[str, str], order: tuple[str, ...] = TIER_ORDER
) -> list[dict[str, Any]]:
    """One row per branch: name, customers per tier (or value level) in `order`, total; sorted by branch name."""
    rows: list[dict[str, Any]] = [
        {"code": code, "name": names.get(code, code), "cells": [counts.get(key, 0) for key in order]}
        for code, counts in by_branch.items()
    ]
    for row in rows:
        row["total"] = sum(row["cells"])
    return sorted(rows, key=lambda r: (r["name"], r["code"]))


def branch_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Stacked bars of customers per tier for each branch of `branch_rows`."""
    return {
        "branches": [r["name"] for r in rows],
        "series": [{"name": tier_label(t), "data": [r["cells"][i] for r in rows]} for i, t in enumerate(TIER_ORDER)],
    }
