"""Reads of stored scorecards and awards, scoped for the acting member of staff.

Who sees what (docs/performance.md): an RM their own scorecard only; a branch head the RMs and
unassigned pools of their subtree; head-office roles every branch. Scope is the branch of the
customers behind a figure (`org.scoping.scoped` on `branch_code`), narrowed to the RM's own rows
for RMs; every total on every page is a sum of the rows these selectors return.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tenure.org.models import Branch, BranchLevel, Role, Staff
from tenure.org.scoping import HEAD_OFFICE_ROLES, scoped, visible_branch_codes
from tenure.performance import lines
from tenure.performance.figures import DRILLS, Totals
from tenure.performance.models import ADDITIVE, Scorecard, StarAward

VALUES = ("branch_code", "rm_id", *ADDITIVE)


def own_only(user) -> bool:
    """RMs without a wider role see their own scorecard only."""
    return user.has_role(Role.RM) and not user.has_role(Role.BRANCH_HEAD, *HEAD_OFFICE_ROLES)


def visible_scorecards(user) -> QuerySet[Scorecard]:
    rows = scoped(Scorecard.objects.all(), user)
    if own_only(user):
        rows = rows.filter(rm_id=user.employee_no) if user.employee_no else rows.none()
    return rows


def months(user) -> list[dt.date]:
    """Months with stored scorecards the user may see, newest first."""
    return list(visible_scorecards(user).order_by("-month").values_list("month", flat=True).distinct())


def _subtree_codes(code: str) -> QuerySet:
    """The codes of `code`'s subtree (none for an unknown code)."""
    path = Branch.objects.filter(code=code).values_list("path", flat=True).first() or "/-none-/"
    return Branch.objects.filter(path__startswith=path).values_list("code", flat=True)


def _subtree(code: str) -> Q:
    return Q(branch_code__in=_subtree_codes(code))


def rows_of(user, month: dt.date, branch: str = "") -> list[dict]:
    """The user's visible scorecard rows of `month` (optionally within `branch`'s subtree) as dicts."""
    rows = visible_scorecards(user).filter(month=month)
    if branch:
        rows = rows.filter(_subtree(branch))
    return list(rows.order_by().values(*VALUES))


@dataclass
class RmCard:
    """One RM (or the pool of one branch, `staff` None) with their totals."""

    staff: Staff | None
    branch: Branch | None  # the pool's branch; an RM's home branch
    totals: Totals
    key: str  # employee no., or "pool:<branch code>"


def by_rm(rows: list[dict]) -> list[RmCard]:
    """Rows summed per RM (over every branch their customers sit in), pools per branch, named."""
    per_rm: dict[str, Totals] = defaultdict(Totals)
    pools: dict[str, Totals] = defaultdict(Totals)
    for row in rows:
        (per_rm[row["rm_id"]] if row["rm_id"] else pools[row["branch_code"]]).add(row)
    staff = {s.employee_no: s for s in Staff.objects.filter(employee_no__in=list(per_rm)).select_related("home_branch")}
    branches = {b.code: b for b in Branch.objects.filter(code__in=list(pools))}
    cards = [
        RmCard(staff.get(no), staff[no].home_branch if no in staff else None, totals, no)
        for no, totals in per_rm.items()
    ]
    cards.sort(key=lambda c: (str(c.staff) if c.staff else c.key))
    cards += [RmCard(None, branches.get(code), totals, f"pool:{code}") for code, totals in sorted(pools.items())]
    return cards


@dataclass
class BranchCard:
    branch: Branch
    totals: Totals


def by_branch(user, rows: list[dict], parent: str = "") -> list[BranchCard]:
    """Rows summed per branch: the children of `parent` (default: the branches at branch level the
    user may see, or the user's home branch's children)."""
    visible = visible_branch_codes(user)
    if parent:
        nodes = list(Branch.objects.filter(parent__code=parent))
    else:
        nodes = list(Branch.objects.filter(level=BranchLevel.BRANCH))
    if visible is not None:
        nodes = [b for b in nodes if b.code in visible]
    paths = {b.code: b.path for b in Branch.objects.all()}
    cards = []
    for node in nodes:
        totals = Totals.of(r for r in rows if paths.get(r["branch_code"], "").startswith(node.path))
        cards.append(BranchCard(node, totals))
    return cards


def drill_lines(user, *, month: dt.date, figure: str, rm: str = "", branch: str = "") -> lines.Drill:
    """The customers behind `figure` (a key of `figures.DRILLS`) in the user's scope: lines where the
    figure is above 0; `rm` an employee number, or "pool" for the unassigned pools. Scope is the
    branch of the line, as for the scorecards; an RM without a wider role sees their own lines."""
    codes: Collection[str] | None = visible_branch_codes(user)
    if branch:
        subtree = set(_subtree_codes(branch))
        codes = subtree if codes is None else set(codes) & subtree
    field = DRILLS[figure][1]
    if own_only(user):
        return lines.Drill(month, field, branches=codes if user.employee_no else (), rm=user.employee_no or "")
    return lines.Drill(month, field, branches=codes, rm=lines.POOL if rm == "pool" else rm)


def trend(user, *, branch: str = "", limit: int = 12) -> list[tuple[dt.date, Totals]]:
    """(month, totals of the user's scope) for the latest `limit` stored months, oldest first."""
    rows = visible_scorecards(user)
    if branch:
        rows = rows.filter(_subtree(branch))
    per: dict[dt.date, Totals] = defaultdict(Totals)
    recent = sorted(set(rows.values_list("month", flat=True)))[-limit:]
    for row in rows.filter(month__in=recent).order_by().values("month", *ADDITIVE):
        per[row["month"]].add(row)
    return sorted(per.items())


def awards(user, *, month: dt.date | None = None) -> QuerySet[StarAward]:
    """Bank-wide awards (everyone who may see scorecards) and the branch awards of the user's scope."""
    visible = visible_branch_codes(user)
    rows = StarAward.objects.select_related("winner", "winner__home_branch")
    if visible is not None:
        rows = rows.filter(Q(branch_code="") | Q(branch_code__in=sorted(visible)))
    if month is not None:
        rows = rows.filter(month=month)
    return rows.order_by("-month", "branch_code")


def branch_names(codes: list[str]) -> dict[str, Branch]:
    return {b.code: b for b in Branch.objects.filter(code__in=codes)}


def staff_names(numbers: list[str]) -> dict[str, Staff]:
    return {s.employee_no: s for s in Staff.objects.filter(employee_no__in=numbers) if s.employee_no}
