"""`tenure import PATH`: validate and import extract folders, all or nothing per business date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tenure.core import crypto
from tenure.core.keys import KeyProblem, field_key_ensure, key_created_line
from tenure.core.progress import print_json_summary
from tenure.core.runlock import add_wait_argument, command_lock
from tenure.ingest.importer import ImportRefused, ImportRun, import_extracts
from tenure.ingest.lake_writes import ImportBusy
from tenure.ingest.reading import CONTROL_FILE, ENCODINGS

SHOWN_ERRORS = 50
# Exit codes: 1 invalid data (see the report), 3 a changed file for an imported date without --replace,
# 4 unusable path or options or no field key yet, 5 another import holds the lake (a caller of
# import_extracts() outside this command); 75 another import, daily, nightly or points run is going on
# (the run lock of tenure.core.runlock: an import and a daily never run at once).
EXIT_INVALID, EXIT_REFUSED, EXIT_USAGE, EXIT_BUSY = 1, 3, 4, 5


class Command(BaseCommand):
    help = (
        "Validate and import extract folders (YYYY-MM-DD, one file per table). PATH is one date folder or a "
        "parent of several, imported in date order; each date is written completely or not at all."
    )
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="a YYYY-MM-DD folder, or a folder holding several")
        parser.add_argument(
            "--business-date",
            type=dt.date.fromisoformat,
            help="only this date of a parent folder; or the date of a folder not named YYYY-MM-DD",
        )
        parser.add_argument("--replace", action="store_true", help="re-import dates whose files changed")
        parser.add_argument("--encoding", choices=sorted(ENCODINGS), default="utf-8", help="CSV encoding")
        parser.add_argument(
            "--no-control-file",
            action="store_true",
            help=f"import date folders that carry no {CONTROL_FILE} (recorded as imported without one); "
            "a control file that is present is always checked",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON summary line at the end")
        add_wait_argument(parser)

    def handle(self, *args, **options) -> None:
        with command_lock("import", wait=options.get("wait", False), stderr=self.stderr):
            self._import(options)

    def _import(self, options: dict) -> None:
        as_json = options["json"]
        business_date = options["business_date"]
        if isinstance(business_date, str):  # call_command passes options unparsed
            business_date = dt.date.fromisoformat(business_date)
        try:  # before reading anything: the first import into an empty bank makes the key (a first set-up)
            created = field_key_ensure()
        except (crypto.KeyError_, KeyProblem) as exc:
            raise CommandError(str(exc), returncode=EXIT_USAGE) from exc
        if created is not None:
            self.stderr.write(key_created_line(created))
        try:
            run = import_extracts(
                Path(options["path"]),
                business_date=business_date,
                replace=options["replace"],
                encoding=options["encoding"],
                show_progress=not as_json,
                require_control=not options["no_control_file"],
            )
        except ImportRefused as exc:
            raise CommandError(str(exc), returncode=EXIT_USAGE) from exc
        except ImportBusy as exc:
            raise CommandError(str(exc), returncode=EXIT_BUSY) from exc
        self._print(run, self.stderr if as_json else self.stdout)
        if as_json:
            print_json_summary(run.summary(), self.stdout)
        failed = next((o for o in run.outcomes if o.failed), None)
        if failed is not None:
            if failed.status == "invalid":
                raise CommandError(
                    f"import stopped at {failed.business_date}: invalid extract", returncode=EXIT_INVALID
                )
            raise CommandError(f"import stopped at {failed.business_date}: files changed", returncode=EXIT_REFUSED)

    def _print(self, run: ImportRun, wrapper) -> None:
        def out(text: str) -> None:
            wrapper.write(text, style_func=str)  # plain text, also when the report goes to stderr

        for outcome in run.outcomes:
            if outcome.written:
                rows = ", ".join(f"{name} {count:,}" for name, count in outcome.written.items())
                note = " without a control file (--no-control-file)" if outcome.without_control_file else ""
                out(f"{outcome.business_date}: {outcome.status}{note} ({rows})")
            else:
                out(f"{outcome.business_date}: {outcome.status}: {outcome.message}")
            if outcome.errors:
                for line in outcome.errors.lines_for_display(SHOWN_ERRORS):
                    out(f"  {line}")
                out(f"full report: {outcome.report}")
        if run.outcomes and all(o.status == "unchanged" for o in run.outcomes):
            out("nothing to import: every date was already imported with the same files")
