"""`tenure scorecards --month YYYY-MM [--json]`: compute and store one month's scorecards and stars.

The JSON line (issue 26): `month`, `staff` (RMs with a scorecard), `customers`, `branches`: per branch
code, the branch's own figures counted straight from customers and the lake (`customers`, `aum`)
beside the sums over the scorecards of its subtree's RMs plus its unassigned pools (`customers_by_rm`,
`aum_by_rm`); the two agree when the scorecards add up. `stars`: winner per branch ("" bank-wide).
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from tenure.ingest.selectors import latest_business_date
from tenure.org.models import Branch
from tenure.performance.compute import Month, ScorecardUnavailable
from tenure.performance.models import Scorecard
from tenure.performance.services import scorecards_compute


def branch_check(month: Month, own: dict[str, tuple[int, float]]) -> dict[str, dict[str, int | float]]:
    """Per branch code (its subtree): its own counts (`own`: branch code → customers in a book, AUM
    in yuan, counted from customers and the lake) beside the sums of the stored scorecards."""
    stored: dict[str, tuple[int, Decimal]] = {}
    for code, book, aum in Scorecard.objects.filter(month=month.start).values_list("branch_code", "book", "aum"):
        n, total = stored.get(code, (0, Decimal(0)))
        stored[code] = (n + book, total + aum)
    out: dict[str, dict[str, int | float]] = {}
    branches = list(Branch.objects.order_by("path").values_list("code", "path"))
    for code, path in branches:
        inside = [c for c, p in branches if p.startswith(path)]
        out[code] = {
            "customers": sum(own.get(c, (0, 0.0))[0] for c in inside),
            "aum": round(sum(own.get(c, (0, 0.0))[1] for c in inside), 2),
            "customers_by_rm": sum(stored.get(c, (0, Decimal(0)))[0] for c in inside),
            "aum_by_rm": float(sum((stored.get(c, (0, Decimal(0)))[1] for c in inside), Decimal(0))),
        }
    return out


class Command(BaseCommand):
    help = "Compute one month's RM scorecards and service stars (docs/performance.md)."
    requires_system_checks: list[str] = []  # a batch job: the checks load every URL and view (seconds)

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args, **options) -> None:
        if latest_business_date() is None:
            raise CommandError("nothing imported yet: run `tenure import <folder>` first")
        try:
            month = Month.parse(options["month"])
        except ValueError as exc:
            raise CommandError(f"--month: {exc}") from None
        try:
            result = scorecards_compute(month=month)
        except ScorecardUnavailable as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            summary = {
                "month": month.label,
                "staff": result.staff,
                "customers": result.customers,
                "branches": branch_check(month, result.branches),
                "stars": result.awards,
                "seconds": result.seconds,
            }
            self.stdout.write(json.dumps(summary, ensure_ascii=False, sort_keys=True))
            return
        winners = ", ".join(f"{code or 'bank'}={who or '-'}" for code, who in result.awards.items())
        self.stdout.write(
            f"{month.label}: {result.customers} customers, {result.staff} RMs, {result.scorecards} scorecards; "
            f"stars: {winners}"
        )
