"""Writes: one month's scorecards (lines, sums per RM and branch, the service stars) in one
transaction with its audit row. Re-running a month replaces what it stored (the inputs may have
changed: late alert outcomes, complaints resolved since)."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
import pyarrow as pa
from django.db import transaction
from django.utils import timezone

from tenure import lake
from tenure.core.audit import audit
from tenure.org.models import Branch, BranchLevel, Role, Staff
from tenure.performance import lines as line_store
from tenure.performance import stars
from tenure.performance.compute import Month, scorecard_lines
from tenure.performance.figures import FLOATS, MONEY, Totals
from tenure.performance.models import ADDITIVE, Scorecard, StarAward


@dataclass
class ComputeResult:
    month: Month
    customers: int
    scorecards: int
    staff: int
    awards: dict[str, str | None] = field(default_factory=dict)  # branch code ("" bank) → winner employee no.
    seconds: dict[str, float] = field(default_factory=dict)
    # Branch code → (customers in a book, AUM in yuan) counted from the customers and the lake, not
    # from the lines (`compute.MonthLines.branches`): what the `--json` line checks the sums against.
    branches: dict[str, tuple[int, float]] = field(default_factory=dict)


def _yuan(fen: int) -> Decimal:
    return Decimal(int(fen)).scaleb(-2)


def _sums(lines: pa.Table) -> pd.DataFrame:
    """The lines added up per (branch, RM; "" the pool), ordered; money in fen, floats summed exactly
    rounded (`fsum`, whatever the order of the rows)."""
    columns = ", ".join(
        f"fsum({name}) AS {name}" if name in FLOATS else f"sum({name})::BIGINT AS {name}" for name in ADDITIVE
    )
    con = lake.duckdb_connect()
    try:
        con.register("lines", lines)
        return con.execute(
            f"SELECT branch_code, coalesce(rm, '') AS rm, {columns} FROM lines GROUP BY 1, 2 ORDER BY 1, 2"
        ).df()
    finally:
        con.close()


def _candidates(sums: pd.DataFrame, employee_nos: set[str]) -> dict[str, Totals]:
    """Employee no. → the RM's totals over every branch their customers sit in."""
    out: dict[str, Totals] = defaultdict(Totals)
    for row in sums[sums["rm"].isin(employee_nos)].to_dict("records"):
        out[row["rm"]].add({k: _yuan(v) if k in MONEY else v for k, v in row.items()})
    return out


def _awards(month: Month, sums: pd.DataFrame, now: dt.datetime) -> dict[str, str | None]:
    """Decide the bank's and each branch's star for the month and store them (replacing the month's)."""
    rules = stars.active_rules()
    active_rms = Staff.objects.filter(groups__name=Role.RM, is_active=True).exclude(employee_no=None)
    rms: dict[str, Staff] = {s.employee_no: s for s in active_rms.select_related("home_branch") if s.employee_no}
    totals = _candidates(sums, set(rms))
    StarAward.objects.filter(month=month.start).delete()
    groups: dict[str, list[str]] = {"": sorted(totals)}
    for branch in Branch.objects.filter(level=BranchLevel.BRANCH):
        homes = {no: rms[no].home_branch for no in totals}
        groups[branch.code] = sorted(
            no for no, home in homes.items() if home is not None and home.path.startswith(branch.path)
        )
    winners: dict[str, str | None] = {}
    for code, members in groups.items():
        result = stars.award([stars.Candidate(no, totals[no]) for no in members], rules)
        winners[code] = result.winner
        if result.winner is None:
            continue
        StarAward.objects.create(
            month=month.start,
            branch_code=code,
            winner=rms[result.winner],
            score=result.score or 0.0,
            rules_version=rules.version,
            candidates=len(result.ranking),
            detail={
                "rules": rules.rules,
                "ranking": result.ranking,
                "ineligible": result.ineligible,
                "totals": totals[result.winner].as_json(),
            },
            awarded_at=now,
        )
    return winners


def scorecards_compute(*, month: Month, by: Staff | None = None, today: dt.date | None = None) -> ComputeResult:
    """Compute and store `month`'s scorecard lines (a Parquet file per month: `lines`), the sums per
    (branch, RM or pool) and the month's service stars; the DB writes in one transaction, audited
    `scorecards.compute`, the lines' file put in place right after it commits. Raises
    `compute.ScorecardUnavailable` when the lake holds no balances for the month."""
    clock = timezone.now()
    started = time.perf_counter()
    computed = scorecard_lines(month, today=today)
    seconds = {"compute": time.perf_counter() - started}
    lines = computed.lines
    sums = _sums(lines)
    staged = line_store.stage(month.start, lines)
    try:
        with transaction.atomic():
            Scorecard.objects.filter(month=month.start).delete()
            Scorecard.objects.bulk_create(
                [
                    Scorecard(
                        month=month.start,
                        branch_code=row["branch_code"],
                        rm_id=row["rm"] or None,
                        computed_at=clock,
                        **{name: _yuan(row[name]) if name in MONEY else row[name] for name in ADDITIVE},
                    )
                    for row in sums.to_dict("records")
                ],
                batch_size=2000,
            )
            winners = _awards(month, sums, clock)
            staff = int(sums.loc[sums["rm"] != "", "rm"].nunique()) if len(sums) else 0
            audit(
                action="scorecards.compute",
                actor=by,
                object_type="Scorecard",
                object_id=month.label,
                detail={"customers": len(lines), "scorecards": len(sums), "staff": staff, "stars": winners},
            )
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    line_store.publish(staged, month.start)
    seconds["store"] = time.perf_counter() - started - seconds["compute"]
    return ComputeResult(
        month=month,
        customers=len(lines),
        scorecards=len(sums),
        staff=staff,
        awards=winners,
        seconds={k: round(v, 2) for k, v in seconds.items()},
        branches=computed.branches,
    )
