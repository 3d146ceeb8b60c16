"""Writes: one month's scorecards (lines, sums per RM and branch, the service stars) in one
transaction with its audit row. Re-running a month replaces what it stored (the inputs may have
changed: late alert outcomes, complaints resolved since)."""

from __future__ import annotations

import datetime as dt
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
from tenure.performance import stars
from tenure.performance.compute import Month, scorecard_lines
from tenure.performance.figures import MONEY, Totals
from tenure.performance.models import ADDITIVE, Scorecard, ScorecardLine, StarAward


@dataclass
class ComputeResult:
    month: Month
    customers: int
    scorecards: int
    staff: int
    awards: dict[str, str | None] = field(default_factory=dict)  # branch code ("" bank) → winner employee no.
    seconds: dict[str, float] = field(default_factory=dict)


def _line_table(month: Month, lines: pd.DataFrame) -> pa.Table:
    """The lines as the table's columns (DB column names), money as decimals."""
    columns: dict[str, pa.Array | list] = {
        "month": pa.array([month.start] * len(lines), pa.date32()),
        "customer_no": pa.array(lines.index.to_list(), pa.string()),
        "branch_code": pa.array(lines["branch_code"], pa.string(), from_pandas=True),
        "rm_employee_no": pa.array(lines["rm"], pa.string(), from_pandas=True),
    }
    for name in ADDITIVE:
        if name in MONEY:
            columns[name] = pa.array([_yuan(v) for v in lines[name].to_numpy()], pa.decimal128(20, 2))
        else:
            columns[name] = pa.array(lines[name].to_numpy())
    return pa.table(columns)


def _yuan(fen: int) -> Decimal:
    return Decimal(int(fen)).scaleb(-2)


def _sums(lines: pd.DataFrame) -> pd.DataFrame:
    grouped = lines.assign(rm=lines["rm"].fillna("")).groupby(["branch_code", "rm"], sort=True)[list(ADDITIVE)].sum()
    return grouped.reset_index()


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
    """Compute and store `month`'s scorecard lines, the sums per (branch, RM or pool) and the month's
    service stars; one transaction, audited `scorecards.compute`. Raises
    `compute.ScorecardUnavailable` when the lake holds no balances for the month."""
    clock = timezone.now()
    started = dt.datetime.now()
    lines = scorecard_lines(month, today=today)
    computed = (dt.datetime.now() - started).total_seconds()
    sums = _sums(lines)
    with transaction.atomic():
        ScorecardLine.objects.filter(month=month.start).delete()
        Scorecard.objects.filter(month=month.start).delete()
        lake.upsert(ScorecardLine._meta.db_table, ("month", "customer_no"), _line_table(month, lines))
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
    stored = (dt.datetime.now() - started).total_seconds() - computed
    return ComputeResult(
        month=month,
        customers=len(lines),
        scorecards=len(sums),
        staff=staff,
        awards=winners,
        seconds={"compute": round(computed, 2), "store": round(stored, 2)},
    )
