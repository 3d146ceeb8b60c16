"""Asset tiers (MISSION S2): tier by AUM or by 3-month average daily AUM, changes and warnings.

The previous tier is recomputed from the lake with the same rules (the basis one month
earlier), not read from yesterday's output: a tier change is then a pure function of the
inputs and the config, and re-running any date gives the same events.
Comparisons are made on doubles converted from exact decimals, so a basis exactly at a
threshold is in the higher tier on every engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from tenure.analytics.config import TIER_ORDER, Config

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tenure.analytics.dates import Dates

# standard = 0 … diamond = 4: a higher number is a higher tier.
TIER_RANK = {tier: len(TIER_ORDER) - 1 - i for i, tier in enumerate(TIER_ORDER)}
HIGHER_TIER = dict(zip(TIER_ORDER[1:], TIER_ORDER, strict=False))
BASIS_COLUMNS = {"aum": ("aum", "aum_1m"), "avg_daily_aum_3m": ("avg_daily_aum_3m", "avg_daily_aum_3m_prev")}


def tier_of(basis: ir.NumericValue, config: Config) -> ir.StringValue:
    """The tier whose threshold `basis` (yuan) reaches, highest first; `standard` below all."""
    # Loaded here, as in `by_tier` and `asset_tiers`: pages and receivers read `asset_tier_for` and
    # `HIGHER_TIER` without Ibis, which costs every process a quarter of a second of set-up (issue 27).
    import ibis

    value = basis.cast("float64")
    return ibis.cases(*[(value >= float(minimum), tier) for tier, minimum in config.thresholds], else_="standard")


def asset_tier_for(basis: Decimal, config: Config) -> str:
    """`tier_of` for one customer in Python: the tier for a basis (yuan) where no nightly has
    published one yet. Both read `config.thresholds`, the one home of the rules."""
    for tier, minimum in config.thresholds:
        if basis >= minimum:
            return tier
    return "standard"


def by_tier(tier: ir.StringValue, values: Mapping[str, object], default=None) -> ir.Value:
    """`values[tier]` as an expression (`default` for other tiers)."""
    import ibis  # loaded here: see `tier_of`

    return ibis.cases(*[(tier == t, v) for t, v in values.items()], else_=default)


def asset_tiers(features: ir.Table, dates: Dates, config: Config) -> ir.Table:
    """One row per customer: tier basis, tier, previous tier, change, downgrade warning, next tier."""
    import ibis  # loaded here: see `tier_of`

    from tenure.analytics.features import MONEY  # an Ibis type: loaded here like Ibis

    rules = config.rules["tiers"]
    now_col, prev_col = BASIS_COLUMNS[rules["basis"]]
    f = features
    basis = f[now_col]
    # Customers onboarded after the previous balance date have no previous tier.
    previous_day = dates.months.get(1)
    if previous_day is None:
        prev_basis = ibis.null(MONEY)
    else:
        existed = f.tenure_days >= (dates.day - previous_day).days
        prev_basis = ibis.cases((existed, f[prev_col].coalesce(ibis.literal(Decimal(0), type=MONEY))), else_=None)
    t = f.select(
        "customer_no",
        "branch_code",
        tier_basis=basis.cast(MONEY),
        previous_basis=prev_basis.cast(MONEY),
    )
    t = t.mutate(asset_tier=tier_of(t.tier_basis, config), previous_tier=tier_of(t.previous_basis, config))
    t = t.mutate(previous_tier=ibis.cases((t.previous_basis.isnull(), ibis.null("string")), else_=t.previous_tier))
    now_rank = by_tier(t.asset_tier, TIER_RANK, 0)
    prev_rank = by_tier(t.previous_tier, TIER_RANK, 0)
    margin = Decimal(rules["downgrade_margin"])
    warn_below = {tier: float(minimum * (1 + margin)) for tier, minimum in config.thresholds}
    minimum = {tier: float(m) for tier, m in config.thresholds}
    next_tier = by_tier(t.asset_tier, HIGHER_TIER)
    falling = t.previous_basis.notnull() & (t.tier_basis < t.previous_basis)
    out = t.mutate(
        tier_change=ibis.cases(
            (t.previous_tier.isnull(), ibis.null("string")),
            (now_rank > prev_rank, "up"),
            (now_rank < prev_rank, "down"),
            else_=ibis.null("string"),
        ),
        downgrade_warning=(
            (t.asset_tier != "standard")
            & (t.tier_basis.cast("float64") < by_tier(t.asset_tier, warn_below, 0.0))
            & falling.coalesce(False)
        ),
        next_tier=next_tier,
        next_tier_min=by_tier(next_tier, minimum).cast("float64"),
        config_version=ibis.literal(config.version, type="int64"),
    )
    return out.drop("previous_basis")
