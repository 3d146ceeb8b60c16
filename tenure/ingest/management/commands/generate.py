"""`tenure generate`: write a synthetic bank in the extract format (see docs/generator.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tenure.core.progress import print_json_summary, progress
from tenure.ingest.generator import generate_bank


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--end-date {text!r} is not a date (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Write a synthetic Chinese retail bank as extract folders, one per month-end."
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--customers", type=int, default=20_000, help="number of customers (default 20000)")
        parser.add_argument("--months", type=int, default=13, help="number of month-end folders (default 13)")
        parser.add_argument("--seed", type=int, default=42, help="random seed: same seed, same files (default 42)")
        parser.add_argument("--out", type=Path, default=None, help="output folder (default $TENURE_HOME/extracts)")
        parser.add_argument(
            "--end-date", type=_date, default=None, help="last business date, a month-end (default: the last one)"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON summary line, no progress bar")

    def handle(self, *args, **options) -> None:
        out = options["out"] or Path(settings.TENURE_HOME) / "extracts"
        months = options["months"]
        try:
            with progress("generating", months, enabled=not options["json"]) as bar:
                summary = generate_bank(
                    customers=options["customers"],
                    months=months,
                    seed=options["seed"],
                    out=out,
                    end_date=options["end_date"],
                    progress=bar,
                )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            print_json_summary(summary, self.stdout)
        else:
            total = sum(summary["rows"].values())
            self.stdout.write(
                f"wrote {len(summary['business_dates'])} business dates ({summary['business_dates'][0]} … "
                f"{summary['business_dates'][-1]}), {total:,} rows, to {summary['out']} in {summary['seconds']} s"
            )
