"""The console's reads. Counts and names only: nothing here returns a customer identifier."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Count, Prefetch, QuerySet

from tenure.analytics.models import NightlyRun
from tenure.analytics.steps import STEP_NAMES
from tenure.core.models import AuditEntry, VersionedRules
from tenure.customers.models import Customer
from tenure.ingest.models import ImportedFile
from tenure.ops.models import DailyRun
from tenure.org.models import Branch, Staff


def staff_rows(*, role: str = "", branch: Branch | None = None, active: str = "") -> QuerySet[Staff]:
    """Staff for the console's list, filtered, with roles and branch loaded (everyone: the console is
    the administrator's, whose scope is the bank)."""
    rows = Staff.objects.select_related("home_branch").prefetch_related(
        Prefetch("groups", queryset=Group.objects.order_by("name"))
    )
    if role:
        rows = rows.filter(groups__name=role)
    if branch is not None:
        rows = rows.filter(home_branch__path__startswith=branch.path)
    if active in ("0", "1"):
        rows = rows.filter(is_active=active == "1")
    return rows.order_by("-is_active", "home_branch__path", "full_name", "username").distinct()


@dataclass(frozen=True)
class BranchRow:
    branch: Branch
    depth: int
    staff: int
    customers: int
    subtree_customers: int


def branch_tree() -> list[BranchRow]:
    """Every branch in tree order with its active staff and customers, and the customers of its subtree."""
    branches = list(Branch.objects.order_by("path"))
    active = Staff.objects.filter(is_active=True, home_branch__isnull=False)
    staff: dict[str, int] = {
        str(row["home_branch_id"]): row["n"] for row in active.values("home_branch_id").annotate(n=Count("pk"))
    }
    customers: dict[str, int] = {
        str(row["branch_id"]): row["n"] for row in Customer.objects.values("branch_id").annotate(n=Count("pk"))
    }
    subtree = {b.code: 0 for b in branches}
    for b in branches:
        for code in b.path.strip("/").split("/"):
            if code in subtree:
                subtree[code] += customers.get(b.code, 0)
    return [
        BranchRow(b, b.path.count("/") - 2, staff.get(b.code, 0), customers.get(b.code, 0), subtree[b.code])
        for b in branches
    ]


def imported_files() -> QuerySet[ImportedFile]:
    return ImportedFile.objects.order_by("-business_date", "table")


# What `tenure.ingest.errors.ErrorLog.write_csv` names its reports, and nothing else.
REPORT_NAME = re.compile(r"import-errors-(\d{4}-\d{2}-\d{2}|unknown)-\d{8}T\d{6,12}\.csv")


@dataclass(frozen=True)
class Report:
    name: str
    business_date: str
    size: int
    written: float  # POSIX time


def error_reports() -> list[Report]:
    """The import error reports in REPORT_DIR, newest first."""
    folder = Path(settings.REPORT_DIR)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = REPORT_NAME.fullmatch(path.name)
        if match and path.is_file():
            stat = path.stat()
            found.append(Report(path.name, match.group(1), stat.st_size, stat.st_mtime))
    return sorted(found, key=lambda r: (r.written, r.name), reverse=True)


def error_report_path(name: str) -> Path | None:
    """The report called `name`, or None when the name is not a report's or no such file exists.
    Only names of the pattern are accepted, so no path can leave REPORT_DIR."""
    if not REPORT_NAME.fullmatch(name):
        return None
    path = Path(settings.REPORT_DIR) / name
    return path if path.is_file() else None


def daily_runs() -> QuerySet[DailyRun]:
    return DailyRun.objects.order_by("-started_at", "-id")


def nightly_runs(limit: int) -> list[NightlyRun]:
    """The latest `limit` nightly step runs, newest date first, each date's steps in pipeline order."""
    rows = list(NightlyRun.objects.order_by("-business_date", "-updated_at")[:limit])
    order = {name: i for i, name in enumerate(STEP_NAMES)}
    return sorted(rows, key=lambda r: (-r.business_date.toordinal(), order.get(r.step, len(order))))


def rules_models() -> list[type[VersionedRules]]:
    """Every concrete rule set kept in versions (tier rules, contact plan, points, stars, …)."""
    found = [m for m in apps.get_models() if issubclass(m, VersionedRules)]
    return sorted(found, key=lambda m: str(m._meta.verbose_name))


# How many revocations the tokens page lists (newest first).
REVOKED_SHOWN = 20


@dataclass(frozen=True)
class RevokedToken:
    owner: str  # the owner's name (their username when the name is empty)
    at: dt.datetime
    by: str  # the administrator's name, or "" for the command line


def revoked_tokens(limit: int = REVOKED_SHOWN) -> list[RevokedToken]:
    """The latest API token revocations, from the audit log (a revoked token is deleted; its audit row stays)."""
    entries = list(AuditEntry.objects.filter(action="auth.token_revoke").select_related("actor")[:limit])
    owners = Staff.objects.in_bulk([int(e.object_id) for e in entries if e.object_id.isdigit()])
    rows = []
    for e in entries:
        owner = owners.get(int(e.object_id)) if e.object_id.isdigit() else None
        name = (owner.full_name or owner.username) if owner else e.detail.get("user", "")
        by = (e.actor.full_name or e.actor.username) if e.actor else ""
        rows.append(RevokedToken(name, e.at, by))
    return rows
