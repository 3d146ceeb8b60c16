"""Upgrade potential and cultivation advice (docs/features.md).

A documented rule rather than a model, so an RM can read why a customer is on the list:
- tier riser: AUM projected 3 months ahead on its 3-month trend, aum + (aum − aum_3m),
  reaches the next tier's threshold;
- level riser: contribution is at least `level_proximity` of the lowest contribution of the
  next value level and AUM rose over 3 months.
`backtest` measures the tier rule on the past: predicted at D − 3 months from AUM then and
3 months before, checked against the tier at D (precision and recall, in the step's detail).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tenure.analytics.config import LEVEL_ORDER, Config
from tenure.analytics.engine import round_half_up
from tenure.analytics.tiers import HIGHER_TIER, TIER_RANK, by_tier, tier_of


def _clip01(value: ir.FloatingValue) -> ir.FloatingValue:
    return ibis.greatest(ibis.least(value, 1.0), 0.0)


def upgrade_potential(features: ir.Table, tiers: ir.Table, pyramid: ir.Table, config: Config) -> ir.Table:
    """One row per customer: potential score in [0, 1], riser flags, suggestion, loss-making flag."""
    proximity = float(Decimal(config.rules["potential"]["level_proximity"]))
    f = features.select("customer_no", "aum", "aum_3m")
    t = tiers.select("customer_no", "next_tier", "next_tier_min")
    p = pyramid.select("customer_no", "contribution", "value_level")
    cut = pyramid.group_by("value_level").agg(level_min=pyramid.contribution.min())
    higher = dict(zip(LEVEL_ORDER[1:], LEVEL_ORDER, strict=False))
    j = f.join(t, "customer_no").join(p, "customer_no")
    j = j.mutate(next_level=ibis.cases(*[(j.value_level == lv, up) for lv, up in higher.items()], else_=None))
    j = j.left_join(cut, j.next_level == cut.value_level).drop("value_level_right")
    aum = j.aum.cast("float64")
    past = j.aum_3m.cast("float64").coalesce(aum)
    projected = aum + (aum - past)
    next_min = j.next_tier_min
    level_min = j.level_min.cast("float64")
    tier_progress = ibis.cases((next_min > 0, _clip01(projected / next_min)), else_=0.0)
    level_progress = ibis.cases(
        (level_min > 0, _clip01(j.contribution.cast("float64") / level_min)),
        else_=0.0,
    )
    tier_riser = next_min.notnull() & (projected >= next_min)
    level_riser = j.next_level.notnull() & (level_progress >= proximity) & (aum > past)
    loss = j.contribution < 0
    return j.select(
        "customer_no",
        potential_score=round_half_up(ibis.greatest(tier_progress, level_progress), 4),
        likely_tier_riser=tier_riser.coalesce(False),
        likely_level_riser=level_riser.coalesce(False),
        suggestion=ibis.cases(
            (loss, "review_loss"),
            (j.value_level == "key", "key_account"),
            (tier_riser.coalesce(False) | level_riser.coalesce(False), "cultivate"),
            (j.value_level == "important", "maintain"),
            (j.value_level == "ordinary", "reduce_cost"),
            else_="cheaper_channel",
        ),
        loss_making=loss,
        config_version=ibis.literal(config.version, type="int64"),
    )


def backtest(features: ir.Table, config: Config) -> ir.Table:
    """One-row table: the tier rule applied at D − 3 months against the tiers reached at D."""
    f = features.filter(features.aum_6m.notnull(), features.aum_3m.notnull())
    then = f.aum_3m.cast("float64")
    projected = then + (then - f.aum_6m.cast("float64"))
    tier_then = tier_of(f.aum_3m, config)
    tier_now = tier_of(f.aum, config)
    minimum = dict(config.thresholds)
    next_min = by_tier(tier_then, {low: float(minimum[up]) for low, up in HIGHER_TIER.items()})
    predicted = next_min.notnull() & (projected >= next_min)
    actual = by_tier(tier_now, TIER_RANK, 0) > by_tier(tier_then, TIER_RANK, 0)
    return f.aggregate(
        evaluated=f.count(),
        predicted=predicted.sum().cast("int64"),
        rose=actual.sum().cast("int64"),
        hits=(predicted & actual).sum().cast("int64"),
    )


def backtest_summary(row: pa.Table) -> dict[str, Any]:
    """Precision and recall of the tier-riser rule from `backtest`'s one-row result."""
    r: dict[str, Any] = {k: int(row[k][0].as_py() or 0) for k in ("evaluated", "predicted", "rose", "hits")}
    r["precision"] = round(r["hits"] / r["predicted"], 4) if r["predicted"] else None
    r["recall"] = round(r["hits"] / r["rose"], 4) if r["rose"] else None
    r["base_rate"] = round(r["rose"] / r["evaluated"], 4) if r["evaluated"] else None
    return r
