"""`tenure demo`: a realistic bank ready to click through, from an empty TENURE_HOME.

Every step calls its app's service and prints a line of what it did (the daily run prints as
`tenure daily` does); only serving is a command. The demo is an explicit first set-up: it makes the
field key when the home has none (`tenure keys init` does the same alone), and holds the run lock of
`tenure daily` while it prepares the bank.
"""

import os
import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from tenure.churn.labels import LabelsUnavailable
from tenure.churn.selectors import model_trained
from tenure.churn.services import train_model
from tenure.complaints.generate import complaints_generate
from tenure.core.calendar import holidays_seed
from tenure.core.keys import KeyProblem, field_key_ensure, field_key_problem, key_created_line
from tenure.core.progress import print_json_summary, progress
from tenure.core.runlock import command_lock
from tenure.ingest.generator import generate_bank
from tenure.ingest.importer import ImportRefused, import_extracts
from tenure.ingest.selectors import latest_business_date
from tenure.ops.daily import DailyError, daily_run
from tenure.ops.demo import demo_extracts, demo_mode_on, demo_password
from tenure.ops.demo_staff import DemoError, demo_staff_ensure
from tenure.surveys import demo_data


class Command(BaseCommand):
    help = "Generate a synthetic bank, import it, run nightly, create demo staff and serve."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=20000)
        parser.add_argument("--months", type=int, default=13)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare everything, then exit")
        parser.add_argument("--json", action="store_true", help="print one JSON summary line")

    def handle(self, *args, customers: int, months: int, seed: int, port: int, no_serve: bool, json: bool, **options):
        started = time.monotonic()
        demo_mode_on()
        # `tenure` applied any pending migrations before this command (tenure/cli.py).
        holidays_seed()
        stream = self.stderr if json else self.stdout  # with --json, stdout holds only the summary line
        self._field_key(stream)
        with command_lock("demo", wait=False, stderr=self.stderr):
            extracts = self._generate(customers, months, seed, quiet=json, stream=stream)
            self._import(extracts, quiet=json, stream=stream)
            # The bank's daily run, then a few months of service history and a churn model, then the
            # daily run again: scores, and alerts that see the survey answers (nothing else changes).
            self._daily(stream, as_json=json)
            waves = demo_data.generate()  # once: idempotent
            stream.write(f"Survey waves: {waves['waves']} ({waves.get('responses', 'made earlier')} answers)")
            made = complaints_generate(seed=seed)  # once
            stream.write(f"Complaints: {made['created']} made {made.get('skipped', '')}".rstrip())
            self._churn_model(stream)
            self._daily(stream, as_json=json)
            logins = demo_staff_ensure(demo_password())
        if json:
            summary = {
                "extracts": str(extracts),
                "logins": [x["username"] for x in logins],
                "seconds": round(time.monotonic() - started, 1),
                "url": f"http://127.0.0.1:{port}/",
            }
            print_json_summary(summary, self.stdout)
        else:
            self._print_logins(logins, port)
        if not no_serve:
            call_command("serve", port=port)

    def _field_key(self, stream: OutputWrapper) -> None:
        """Make the field key on a home without one (never in place of a lost one: that is refused)."""
        problem = field_key_problem()
        if problem:
            raise CommandError(problem)
        try:
            created = field_key_ensure()
        except KeyProblem as exc:
            raise CommandError(str(exc)) from exc
        if created is not None:
            stream.write(key_created_line(created))

    def _daily(self, stream: OutputWrapper, *, as_json: bool) -> None:
        """The daily run, printed as `tenure daily` prints it."""
        try:
            summary = daily_run(echo=None if as_json else stream.write)
        except DailyError as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            print_json_summary(summary, stream)

    def _churn_model(self, stream: OutputWrapper) -> None:
        """Train the churn model once; a bank with too little history gets only rule alerts."""
        if model_trained():
            return
        day = latest_business_date()
        try:
            model = train_model(as_of=day) if day else None
        except (LabelsUnavailable, LookupError) as exc:  # too few months of history for a label window
            self.stderr.write(f"Churn model not trained: {exc}; only rule alerts are raised")
            return
        if model is not None:
            stream.write(f"Churn model v{model.version} trained as of {day}")

    def _import(self, extracts: Path, *, quiet: bool, stream: OutputWrapper) -> None:
        """Import every business date of the demo bank (a date imported before is left as it is)."""
        try:
            run = import_extracts(extracts, show_progress=not quiet)
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        failed = next((o for o in run.outcomes if o.failed), None)
        if failed is not None:
            raise CommandError(f"import stopped at {failed.business_date}: {failed.status}; report: {failed.report}")
        rows = sum(run.written.values())
        stream.write(f"Imported {len(run.outcomes)} business dates, {rows:,} rows, in {run.seconds:.1f} s")

    def _generate(self, customers: int, months: int, seed: int, *, quiet: bool, stream: OutputWrapper) -> Path:
        """Generate once per set of parameters; a different earlier demo is an error, not a mix."""
        try:
            out, reuse = demo_extracts(customers=customers, months=months, seed=seed)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if reuse:
            self.stderr.write(f"Reusing the bank generated earlier in {out}")
            return out
        with progress("generating", months, enabled=not quiet) as bar:
            made = generate_bank(customers=customers, months=months, seed=seed, out=out, progress=bar)
        stream.write(f"Generated {customers:,} customers over {months} months in {made['seconds']} s")
        return out

    def _print_logins(self, logins: list[dict], port: int) -> None:
        password = "TENURE_DEMO_PASSWORD" if os.environ.get("TENURE_DEMO_PASSWORD") else "tenure-demo"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Tenure demo ready: http://127.0.0.1:{port}/"))
        self.stdout.write(f"Demo logins (password: {password}):")
        for login in logins:
            self.stdout.write(f"  {login['username']:<16} {login['role']:<12} {login['branch']}  {login['about']}")
