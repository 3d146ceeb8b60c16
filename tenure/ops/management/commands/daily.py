"""`tenure daily [--date D] [--json] [--wait]`: everything a bank runs after each import, in order.

The steps and their rules live in `tenure.ops.daily`; this command prints them. One run at a time
per home (`tenure.core.runlock`): a second exits at once with status 75, or waits with `--wait`.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tenure.core.progress import print_json_summary
from tenure.core.runlock import EXIT_BUSY, add_wait_argument, command_lock
from tenure.ops.daily import DailyError, daily_run


class Command(BaseCommand):
    help = (
        "Run the nightly pipeline and every follow-up (serving copy, churn, complaints, retention, surveys). "
        f"One run at a time: while another daily, nightly or points run is going on, exits {EXIT_BUSY} at once "
        "(or waits with --wait)."
    )
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, help="business date (default: the latest imported)")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print a one-line JSON summary")
        add_wait_argument(parser)

    def handle(self, *args, date: dt.date | str | None, as_json: bool, wait: bool, **options) -> None:
        if isinstance(date, str):  # call_command passes options unparsed
            date = dt.date.fromisoformat(date)
        try:
            with command_lock("daily", wait=wait, stderr=self.stderr):
                summary = daily_run(day=date, echo=None if as_json else self.stdout.write)
        except DailyError as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            print_json_summary(summary, self.stdout)
