"""Reads for pages: a customer's tier and level with history, bank and branch aggregates, rule previews.

Pages must not touch the lake per request: everything here reads the operational DB, except
`rules_preview`, which the tier-rules editor calls once per preview on the features output of
the published date (one DuckDB scan). Branch scoping is the caller's: pass the branch codes
the acting staff member may see (`branch_codes=None` means the whole bank).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from tenure import lake
from tenure.analytics.advice import cultivation_advice, score_driver
from tenure.analytics.config import Config, active_config, validate_rules
from tenure.analytics.dates import Dates
from tenure.analytics.models import AnalyticsConfig, CustomerValue, NightlyRun, TierEvent
from tenure.analytics.tiers import HIGHER_TIER, asset_tiers
from tenure.org.models import Branch
from tenure.org.scoping import book_condition, scoped

__all__ = [
    "customer_value",
    "upgrade_candidates",
    "potential_backtest",
    "next_tier_targets",
    "tier_history",
    "tier_summary",
    "pyramid_summary",
    "published_date",
    "rules_preview",
    "nightly_runs",
    "active_config",
    "published_tiers",
]


def published_date() -> dt.date | None:
    """The business date `CustomerValue` reflects."""
    run = NightlyRun.objects.filter(step="customer_values", published=True).first()
    return run.business_date if run else None


def customer_value(*, customer_no: str) -> CustomerValue | None:
    """The customer's current tier, level, contribution and potential (None before the first run)."""
    return CustomerValue.objects.filter(customer_id=customer_no).first()


def published_tiers(customer_nos: Iterable[str], *, chunk: int = 500) -> dict[str, tuple[str, str]]:
    """customer_no → (published asset tier, value level) of those customers with a published value;
    read in chunks so a long list stays within the database's parameter limit."""
    numbers = list(dict.fromkeys(customer_nos))
    out: dict[str, tuple[str, str]] = {}
    for start in range(0, len(numbers), chunk):
        rows = CustomerValue.objects.filter(customer_id__in=numbers[start : start + chunk])
        out.update({str(c): (t, v) for c, t, v in rows.values_list("customer_id", "asset_tier", "value_level")})
    return out


def tier_history(*, customer_no: str) -> list[TierEvent]:
    """The customer's tier changes, newest first."""
    return list(TierEvent.objects.filter(customer_id=customer_no).order_by("-business_date"))


# Who is listed: likely to reach the next tier or value level (either, one of them), or everyone.
POTENTIAL_KINDS = ("risers", "tier", "level", "all")
POTENTIAL_SORTS = {
    "score": ("-potential_score", "-contribution", "customer_id"),
    "aum": ("-aum", "customer_id"),
    "contribution": ("-contribution", "customer_id"),
}


def upgrade_candidates(
    *,
    user,
    kind: str = "risers",
    suggestion: str = "",
    tier: str = "",
    branch: Branch | None = None,
    mine: bool = False,
    sort: str = "score",
) -> QuerySet[CustomerValue]:
    """Customers `user` may see with their potential (docs/features.md: who to cultivate), best prospects first.

    `branch` narrows to that branch and the branches under it; `mine` keeps the user's own book (an
    RM's default). Unknown filter values are the caller's to reject.
    """
    qs = scoped(CustomerValue.objects.select_related("customer", "customer__rm", "customer__branch"), user)
    riser = {
        "risers": Q(likely_tier_riser=True) | Q(likely_level_riser=True),
        "tier": Q(likely_tier_riser=True),
        "level": Q(likely_level_riser=True),
    }.get(kind)
    if riser is not None:
        qs = qs.filter(riser)
    if suggestion:
        qs = qs.filter(suggestion=suggestion)
    if tier:
        qs = qs.filter(asset_tier=tier)
    if branch is not None:
        qs = qs.filter(customer__branch__path__startswith=branch.path)
    if mine:
        qs = qs.filter(book_condition(user, via="customer__"))
    return qs.order_by(*POTENTIAL_SORTS[sort])


def next_tier_targets(values: Iterable[CustomerValue]) -> None:
    """Set `next_tier`, `next_tier_min` and `gap` (threshold − the tier basis) on each value, from
    the rules of the config version it was computed with (None on the highest tier), then the row's
    `advice` sentence and its `score_driver` (tenure.analytics.advice). `values` is
    read twice: a list, or a page's object list."""
    versions = {v.config_version for v in values}
    rules = dict(AnalyticsConfig.objects.filter(version__in=versions).values_list("version", "rules"))
    for value in values:
        if value.config_version not in rules:  # a version removed by hand: today's rules
            rules[value.config_version] = active_config().rules
        tiers = rules[value.config_version]["tiers"]
        up = HIGHER_TIER.get(value.asset_tier)
        value.next_tier = up
        basis = getattr(value, tiers["basis"])
        if up:
            value.next_tier_min = Decimal(tiers["thresholds"][up])
            value.gap = max(value.next_tier_min - basis, Decimal(0))
        else:
            value.next_tier_min = value.gap = None
        value.advice = cultivation_advice(value)
        value.score_driver = score_driver(value)


def potential_backtest(day: dt.date | None) -> dict[str, Any]:
    """The tier-riser rule checked on the past (precision, recall, base rate) as stored by the
    `potential` step of `day`; empty before a run with 6 months of history."""
    return _detail("potential", day)[1].get("backtest") or {}


def _detail(step: str, day: dt.date | None) -> tuple[dt.date | None, dict[str, Any]]:
    runs = NightlyRun.objects.filter(step=step, status=NightlyRun.Status.DONE)
    run = runs.filter(business_date=day).first() if day else runs.order_by("-business_date").first()
    return (run.business_date, run.detail) if run else (None, {})


def _scope(by_branch: dict[str, dict[str, int]], branch_codes: Collection[str] | None) -> dict[str, dict[str, int]]:
    return by_branch if branch_codes is None else {b: v for b, v in by_branch.items() if b in branch_codes}


def tier_summary(*, day: dt.date | None = None, branch_codes: Collection[str] | None = None) -> dict[str, Any]:
    """Customers per tier (bank-wide or summed over `branch_codes`), per branch, and the migration matrix.

    The migration matrix ([from, to, customers]) is bank-wide: it is aggregated without branches.
    """
    business_date, detail = _detail("tiers", day)
    by_branch = _scope(detail.get("by_branch", {}), branch_codes)
    counts = detail.get("counts", {}) if branch_codes is None else _sum(by_branch)
    return {
        "business_date": business_date,
        "counts": counts,
        "by_branch": by_branch,
        "migration": detail.get("migration", []),
        "downgrade_warnings": detail.get("downgrade_warnings", 0),
    }


def pyramid_summary(*, day: dt.date | None = None, branch_codes: Collection[str] | None = None) -> dict[str, Any]:
    """Customers per value level, per branch, and the bank-wide Pareto curve / 80-20 share."""
    business_date, detail = _detail("pyramid", day)
    by_branch = _scope(detail.get("by_branch", {}), branch_codes)
    counts = detail.get("counts", {}) if branch_codes is None else _sum(by_branch)
    return {"business_date": business_date, "counts": counts, "by_branch": by_branch, "pareto": detail.get("pareto")}


def _sum(by_branch: dict[str, dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for values in by_branch.values():
        for key, n in values.items():
            total[key] = total.get(key, 0) + n
    return dict(sorted(total.items()))


def nightly_runs(*, day: dt.date | None = None) -> list[NightlyRun]:
    """The step rows of `day` (default: the latest date run)."""
    day = day or NightlyRun.objects.order_by("-business_date").values_list("business_date", flat=True).first()
    if day is None:  # nothing run yet
        return []
    return list(NightlyRun.objects.filter(business_date=day).order_by("id"))


def rules_preview(*, rules: dict[str, Any]) -> dict[str, Any]:
    """Customers per asset tier and value level that `rules` would give on the published date.

    For the tier-rules editor: shows the effect of a change before it is saved (nothing is written).
    Tier thresholds, basis and pyramid shares take effect here; contribution margins are baked
    into the stored contributions and show only after the next nightly run.
    """
    validate_rules(rules)
    day = published_date()
    if day is None or not lake.output_path("features", day).exists():
        return {"business_date": None, "tiers": {}, "pyramid": {}}
    # Loaded here: the pyramid step needs Ibis, numpy and pyarrow, which set-up and the other reads
    # here do without (issue 27).
    from tenure.analytics.pyramid import value_pyramid

    con = lake.ibis_duckdb()
    features = con.read_parquet(str(lake.output_path("features", day)))
    config = Config(version=0, rules=rules)
    tiers = asset_tiers(features, Dates.for_day(day), config)
    pyramid = value_pyramid(features, config)
    return {"business_date": day, "tiers": _pairs(tiers, "asset_tier"), "pyramid": _pairs(pyramid, "value_level")}


def _pairs(table, column: str) -> dict[str, int]:
    rows = table.group_by(column).aggregate(n=table.count()).to_pyarrow().to_pylist()
    return {r[column]: int(r["n"]) for r in sorted(rows, key=lambda r: r[column])}


def config_history(limit: int = 10) -> list[dict[str, Any]]:
    """The latest rule versions, newest first, each with its thresholds, basis and pyramid shares
    as read by people, and whether the published nightly used it."""
    from tenure.analytics.charts import LEVEL_LABELS, tier_label
    from tenure.analytics.config import LEVEL_ORDER

    used = NightlyRun.objects.filter(step="customer_values", published=True).values_list("config_version", flat=True)
    published = next(iter(used), None)
    history = []
    for c in AnalyticsConfig.objects.select_related("created_by").order_by("-version")[:limit]:
        history.append(
            {
                "version": c.version,
                "created_at": c.created_at,
                "created_by": c.created_by,
                "why": c.why,
                "basis": c.rules["tiers"]["basis"],
                "thresholds": [(tier_label(t), m) for t, m in Config(c.version, c.rules).thresholds],
                "shares": [(LEVEL_LABELS[v], int(c.rules["pyramid_bp"][v]) / 100) for v in LEVEL_ORDER],
                "published": c.version == published,
            }
        )
    return history
