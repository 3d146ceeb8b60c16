"""Reads of branch queues: the lake's `queue_tickets` through DuckDB (`compute.py`), scoped here.

Who may see which branch is `org.scoping.visible_branch_codes` (branch heads and lobby managers:
their subtree; head-office roles: every branch). Tiers are the published ones
(`analytics.selectors.published_tiers`): the tier a customer has now, not on the day of the ticket.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from tenure import lake
from tenure.analytics.cache import cached
from tenure.analytics.models import AssetTier, ValueLevel
from tenure.analytics.selectors import published_tiers
from tenure.engagement.models import Source, Task, TaskStatus
from tenure.engagement.selectors import visible_tasks
from tenure.org.models import Branch, Staff
from tenure.org.scoping import visible_branch_codes
from tenure.queues import compute
from tenure.queues.rules import active_target

TABLE = "queue_tickets"
# Key customers (重点客户): the two highest asset tiers, and the key layer of the value pyramid.
KEY_TIERS = (AssetTier.DIAMOND.value, AssetTier.BLACK_GOLD.value)
KEY_LAYER = "key_layer"  # a pseudo-tier: key layer of the pyramid below black-gold
TIER_ORDER = (*[t.value for t in AssetTier], KEY_LAYER, compute.NO_TIER)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first moment, first moment of the next month) of the month of `month`."""
    start = dt.datetime(month.year, month.month, 1)
    days = calendar.monthrange(month.year, month.month)[1]
    return start, start + dt.timedelta(days=days)


def _partitions() -> list[tuple[dt.date, Path]]:
    return [(d, lake.partition_file(TABLE, d)) for d, _ in lake.vouched_partitions(TABLE)]


def files_between(start: dt.datetime, end: dt.datetime) -> list[Path]:
    """The partitions that may hold tickets issued in [start, end): a partition holds the tickets
    after the previous business date up to its own, so the first one on or after `end`'s eve ends it."""
    out = []
    for day, path in _partitions():
        if day < start.date():
            continue
        out.append(path)
        if day >= (end - dt.timedelta(seconds=1)).date():
            break
    return out


def months_available() -> list[dt.date]:
    """First days of the months that have queue tickets imported, newest first."""
    return sorted({day.replace(day=1) for day, _ in _partitions()}, reverse=True)


def latest_partition() -> tuple[dt.date, Path] | None:
    parts = _partitions()
    return parts[-1] if parts else None


def subtree_codes(codes: Collection[str]) -> frozenset[str]:
    """The branches under each of `codes`, themselves included."""
    paths = list(Branch.objects.filter(code__in=list(codes)).values_list("path", flat=True))
    out: set[str] = set(codes)
    for path in paths:
        out.update(Branch.objects.filter(path__startswith=path).values_list("code", flat=True))
    return frozenset(out)


def monthly_waits(branch_codes: list[str] | None, months: list[str]) -> dict[str, dict]:
    """Per month "YYYY-MM" of `months`: tickets, walked_away, p50/p90 wait in minutes (None without a
    called ticket), the share (0–1) of tickets called within the target wait, and that target.

    `branch_codes`: the branches counted with everything under them (None: the whole bank). The
    caller scopes: pass only codes the acting staff member may see. A month without tickets is
    present with 0 tickets and None figures.
    """
    target = active_target().minutes
    out: dict[str, dict] = {
        m: {
            "tickets": 0,
            "walked_away": 0,
            "p50_wait_minutes": None,
            "p90_wait_minutes": None,
            "within_target_share": None,
            "target_minutes": target,
        }
        for m in months
    }
    if not months:
        return out
    bounds = [month_bounds(dt.date.fromisoformat(f"{m}-01")) for m in months]
    start, end = min(b[0] for b in bounds), max(b[1] for b in bounds)
    files = files_between(start, end)
    if not files:
        return out
    codes = None if branch_codes is None else subtree_codes(branch_codes)
    rows = compute.monthly(files, start, end, branch_codes=codes, target_minutes=target)
    for month, row in rows.items():
        if month in out:
            out[month] |= {
                "tickets": row["tickets"],
                "walked_away": row["walked"],
                "p50_wait_minutes": row["p50_wait"],
                "p90_wait_minutes": row["p90_wait"],
                "within_target_share": row["within"],
            }
    return out


def scope_codes(user: Staff, branch: Branch | None) -> frozenset[str] | None:
    """Branch codes whose tickets the page counts: the chosen branch's subtree within the user's
    scope, else the user's scope (None: every branch)."""
    visible = visible_branch_codes(user)
    if branch is None:
        return visible
    codes = subtree_codes([branch.code])
    return codes if visible is None else codes & visible


def _tier_table(tickets: compute.Tickets) -> pa.Table:
    """customer_no → tier of the customers on the tickets: the asset tier, or KEY_LAYER for a
    customer of the pyramid's key layer below black-gold."""
    tiers = published_tiers(tickets.customers())
    labels = [
        KEY_LAYER if level == ValueLevel.KEY and tier not in KEY_TIERS else tier for tier, level in tiers.values()
    ]
    return pa.table({"customer_no": pa.array(list(tiers), pa.string()), "tier": pa.array(labels, pa.string())})


def analysis(user: Staff, month: dt.date, branch: Branch | None) -> tuple[compute.Analysis, int]:
    """The page's figures for `month` within the user's scope (and `branch`), and the target used."""
    target = active_target().minutes
    start, end = month_bounds(month)
    codes = scope_codes(user, branch)

    def compute_analysis() -> compute.Analysis:
        tickets = compute.Tickets(files_between(start, end), start, end, branch_codes=codes)
        return tickets.analyse(target, tiers=_tier_table(tickets), key_tiers=(*KEY_TIERS, KEY_LAYER))

    # Once per imported data: a month of tickets is read and ranked by DuckDB (0.4–1 s on the demo).
    key = (None if codes is None else tuple(sorted(codes)), month, target)
    return cached("queues", key, compute_analysis), target


def branch_names(codes: Collection[str]) -> dict[str, Branch]:
    return {b.code: b for b in Branch.objects.filter(code__in=list(codes))}


def branches_for_filter(user: Staff) -> list[Branch]:
    """Branches the user may pick: within scope, those that are not the head office."""
    visible = visible_branch_codes(user)
    rows = Branch.objects.exclude(parent=None).order_by("path")
    if visible is not None:
        rows = rows.filter(code__in=list(visible))
    return list(rows)


def trend(user: Staff, branch: Branch | None, months: Sequence[dt.date]) -> dict[str, Any]:
    """monthly_waits for the page's chart, in the user's scope."""
    codes = scope_codes(user, branch)
    keys = [f"{m:%Y-%m}" for m in sorted(months)]
    if codes is not None and not codes:
        return {k: {"tickets": 0, "p50_wait_minutes": None, "p90_wait_minutes": None} for k in keys}
    return cached_monthly_waits(None if codes is None else sorted(codes), keys)


def cached_monthly_waits(branch_codes: list[str] | None, months: list[str]) -> dict[str, dict]:
    """`monthly_waits`, computed once per data version (a lake scan: ≈ 0.2 s on the 20,000-customer
    demo); the queues page's trend and the evaluation dashboard share it."""
    scope = None if branch_codes is None else tuple(sorted(branch_codes))
    return cached("queues-trend", (scope, tuple(months)), lambda: monthly_waits(branch_codes, months))


def open_long_waits(user: Staff, branch: Branch | None, limit: int = 50) -> list[Task]:
    """Open tasks made from key customers' long waits, within the user's scope (and `branch`'s
    subtree), soonest due first: what the lobby still has to follow up."""
    tasks = visible_tasks(user).filter(source=Source.LONG_WAIT, status=TaskStatus.OPEN)
    if branch is not None:
        tasks = tasks.filter(source_id__in=list(subtree_codes([branch.code])))
    return list(tasks.select_related("customer", "owner").order_by("due_on", "pk")[:limit])
