"""`tenure nightly [--date D] [--engine duckdb|spark] [--json] [--wait]`: run the analytics steps for a business date.

One run at a time per home with `tenure daily` and `tenure points earn` (`tenure.core.runlock`).
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tenure.analytics.steps import run_nightly
from tenure.core.progress import print_json_summary
from tenure.core.runlock import EXIT_BUSY, add_wait_argument, command_lock
from tenure.ingest.selectors import latest_business_date
from tenure.lake import ENGINES, EngineUnavailable, engine_available


class Command(BaseCommand):
    help = (
        "Compute customer features, asset tiers, the value pyramid and upgrade potential for a business date. "
        f"While another daily, nightly or points run is going on, exits {EXIT_BUSY} at once (or waits with --wait)."
    )
    # A batch job: Django's system checks would import every web view (≈ 1 s a run); `migrate` runs them.
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, help="business date (default: the latest imported)")
        parser.add_argument("--engine", choices=ENGINES, default="duckdb", help="DuckDB (default) or PySpark")
        parser.add_argument("--json", action="store_true", help="print a one-line JSON summary")
        parser.add_argument(
            "--full",
            action="store_true",
            help="rebuild the transaction summaries from the raw lake and compute every step again"
            " (after a summary definition changed)",
        )
        add_wait_argument(parser)

    def handle(self, *args, **options) -> None:
        day = options["date"] or latest_business_date()
        if day is None:
            raise CommandError("nothing imported yet: run `tenure import <folder>` first")
        reason = engine_available(options["engine"])
        if reason:
            raise CommandError(f"engine {options['engine']} unavailable: {reason}")
        try:
            with command_lock("nightly", wait=options["wait"], stderr=self.stderr):
                summary = run_nightly(day, options["engine"], full=options["full"], show_progress=not options["json"])
        except EngineUnavailable as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            print_json_summary(summary, self.stdout)
            return
        self.stdout.write(f"business date {summary['business_date']}  digest {summary['digest']}")
        self.stdout.write(f"asset tiers: {summary['tiers']}")
        self.stdout.write(f"value pyramid: {summary['pyramid']}  top 20% share: {summary['top20_share']}")
        self.stdout.write(f"rows written: {summary['written']}")
