"""`tenure greetings plan --from D --to D [--json]`: the festivals and the customer greetings due in
a date range, bank-wide (docs/greetings.md)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenure.core.festivals import FIRST_LUNAR_YEAR, LAST_LUNAR_YEAR
from tenure.customers.models import Customer
from tenure.engagement.greetings import CAP_DAYS, greeting_plan


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = "Plan customer greetings: `plan --from YYYY-MM-DD --to YYYY-MM-DD [--json]`."
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("plan", help="festivals and greetings by kind in a date range (inclusive)")
        plan.add_argument("--from", dest="start", required=True, type=str, help="first day, YYYY-MM-DD")
        plan.add_argument("--to", dest="end", required=True, type=str, help="last day, YYYY-MM-DD")
        plan.add_argument("--cap-days", type=int, default=CAP_DAYS, help="at most one greeting per customer per N days")
        plan.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args, **options) -> None:
        start, end = _date(options["start"]), _date(options["end"])
        if end < start:
            raise CommandError(f"--to {end} is before --from {start}")
        if not (FIRST_LUNAR_YEAR < start.year and end.year <= LAST_LUNAR_YEAR):
            raise CommandError(
                f"dates must lie in {FIRST_LUNAR_YEAR + 1}–{LAST_LUNAR_YEAR} (the lunar calendar's range)"
            )
        if options["cap_days"] < 1:
            raise CommandError("--cap-days must be at least 1")
        plan = greeting_plan(Customer.objects.all(), start, end, cap_days=options["cap_days"])
        if options["json"]:
            self.stdout.write(json.dumps(plan, ensure_ascii=False))
            return
        for festival in plan["festivals"]:
            self.stdout.write(f"{festival['date']}  {festival['festival']}")
        counts = ", ".join(f"{kind} {n:,}" for kind, n in plan["greetings"].items())
        self.stdout.write(f"greetings {start} to {end}: {counts}")
