"""The value pyramid (docs/features.md): levels by contribution rank, bank-wide and per branch.

Rank 1 is the highest contribution; equal contributions are ordered by customer number, so the
level of every customer is deterministic. With n customers and cumulative shares in basis
points (key 100, +important 1900, +ordinary 3000, small the rest), a customer of rank r is in
the first level whose cumulative cut-off ceil(n × bp / 10000) is ≥ r. The comparison is done
as (r − 1) × 10000 < n × bp in whole numbers: exact on every engine.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tenure.analytics.config import LEVEL_ORDER, Config


def _level(rank: ir.IntegerValue, n: ir.IntegerValue, cumulative_bp: list[tuple[str, int]]) -> ir.StringValue:
    # In float64: whole numbers below 2^53 are exact there. Not in int64: Ibis drops a cast to the
    # type it already assumes, and Spark's row_number is a 32-bit int that (1M − 1) × 10000 overflows.
    r, m = (rank - 1).cast("float64"), n.cast("float64")
    return ibis.cases(*[(r * 10000 < m * bp, level) for level, bp in cumulative_bp], else_=LEVEL_ORDER[-1])


def value_pyramid(features: ir.Table, config: Config) -> ir.Table:
    """One row per customer: contribution, bank-wide and branch rank and value level."""
    shares = config.rules["pyramid_bp"]
    cumulative, total = [], 0
    for level in LEVEL_ORDER[:-1]:
        total += int(shares[level])
        cumulative.append((level, total))
    f = features.select("customer_no", "branch_code", "contribution")
    order = [ibis.desc(f.contribution), f.customer_no]
    bank = ibis.window(order_by=order)
    branch = ibis.window(group_by=f.branch_code, order_by=order)
    f = f.mutate(
        contribution_rank=(ibis.row_number().over(bank) + 1).cast("int64"),
        customers=f.customer_no.count().over(ibis.window()).cast("int64"),
        branch_rank=(ibis.row_number().over(branch) + 1).cast("int64"),
        branch_customers=f.customer_no.count().over(ibis.window(group_by=f.branch_code)).cast("int64"),
    )
    return f.select(
        "customer_no",
        "branch_code",
        "contribution",
        "contribution_rank",
        "branch_rank",
        value_level=_level(f.contribution_rank, f.customers, cumulative),
        branch_value_level=_level(f.branch_rank, f.branch_customers, cumulative),
        config_version=ibis.literal(config.version, type="int64"),
    )


def pareto(pyramid: pa.Table, points: int = 20) -> dict[str, Any]:
    """The 80/20 check and the Pareto curve from a pyramid output (Arrow, any order).

    `top20_share` is the share of total contribution earned by the top 20% of customers by
    rank (ceil(0.2 n) customers); `curve` has the cumulative share at each 1/`points` of customers.
    """
    n = pyramid.num_rows
    if n == 0:
        return {"customers": 0, "total_contribution": "0.00", "top20_share": None, "curve": []}
    ordered = pyramid.sort_by([("contribution_rank", "ascending")])
    values = pc.cast(ordered["contribution"], pa.float64()).to_numpy(zero_copy_only=False)
    cumulative = np.cumsum(values)
    total = float(cumulative[-1])

    def share(count: int) -> float | None:
        return round(float(cumulative[count - 1]) / total, 4) if total and count else None

    top20 = -(-n * 2000 // 10000)
    curve = [[round(i / points, 4), share(-(-n * i // points))] for i in range(1, points + 1)]
    return {
        "customers": n,
        "total_contribution": f"{total:.2f}",
        "top20_customers": top20,
        "top20_share": share(top20),
        "curve": curve,
    }
