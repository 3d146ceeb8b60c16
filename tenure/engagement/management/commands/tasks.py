"""`tenure tasks generate [--date YYYY-MM-DD] [--json]`: make the tasks of a business date (docs/workbench.md).

`tenure daily` runs the same service after each import; re-running for one date creates nothing new."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenure.engagement.tasks import tasks_generate
from tenure.ingest.selectors import latest_business_date


class Command(BaseCommand):
    help = "Make the RM tasks of a business date: `generate [--date YYYY-MM-DD] [--json]`."
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="tasks from every source for one business date")
        generate.add_argument("--date", type=str, help="business date (default: the latest imported)")
        generate.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args, **options) -> None:
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"not a date (YYYY-MM-DD): {options['date']!r}") from None
        else:
            latest = latest_business_date()
            if latest is None:
                raise CommandError("nothing imported yet: run `tenure import <folder>` first")
            day = latest
        summary = tasks_generate(day)
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        made = ", ".join(f"{source} {n:,}" for source, n in summary["created"].items())
        self.stdout.write(
            f"tasks for {day}: created {made}; closed at source {summary['closed_at_source']:,};"
            f" escalated {summary['escalated']:,}"
        )
