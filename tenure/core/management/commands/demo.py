"""`tenure demo`: a realistic bank ready to click through, from an empty TENURE_HOME."""

import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tenure.core.calendar import holidays_seed
from tenure.core.progress import print_json_summary


class Command(BaseCommand):
    help = "Generate a synthetic bank, import it, run nightly, create demo staff and serve."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=20000)
        parser.add_argument("--months", type=int, default=13)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare everything, then exit")
        parser.add_argument("--json", action="store_true", help="print one JSON summary line")

    def handle(self, *args, customers, months, seed, port, no_serve, json, **options):
        started = time.monotonic()
        # Demo mode: the demo logins work in this process and in the server it starts.
        os.environ["TENURE_DEMO"] = "1"
        settings.DEMO_MODE = True
        # `tenure` applied any pending migrations before this command (tenure/cli.py).
        holidays_seed()
        extracts = self._generate(customers, months, seed, quiet=json)
        call_command("import_extracts", str(extracts), json=json, stdout=self.stderr if json else self.stdout)
        out = {"stdout": self.stderr if json else self.stdout}
        # The bank's daily run, then a few months of service history and a churn model, then the
        # daily run again: scores, and alerts that see the survey answers (nothing else changes).
        call_command("daily", as_json=json, **out)
        call_command("surveys", "generate", json=json, **out)  # once: idempotent
        call_command("complaints", "generate", "--seed", str(seed), **out)  # once
        self._churn_model(**out)
        call_command("daily", as_json=json, **out)
        from tenure.org.demo import demo_staff_ensure

        logins = demo_staff_ensure(os.environ.get("TENURE_DEMO_PASSWORD", "tenure-demo"))
        if json:
            print_json_summary(
                {"extracts": str(extracts), "logins": [x["username"] for x in logins],
                 "seconds": round(time.monotonic() - started, 1), "url": f"http://127.0.0.1:{port}/"},
                self.stdout,
            )  # fmt: skip
        else:
            self._print_logins(logins, port)
        if not no_serve:
            call_command("serve", port=port)

    def _churn_model(self, **out) -> None:
        """Train the churn model once; a bank with too little history gets only rule alerts."""
        from tenure.churn.models import ChurnModel

        if ChurnModel.objects.exists():
            return
        try:
            call_command("churn", "train", **out)
        except CommandError as exc:  # too few months of history for a label window
            self.stderr.write(f"Churn model not trained: {exc}; only rule alerts are raised")

    def _generate(self, customers: int, months: int, seed: int, *, quiet: bool) -> Path:
        """Generate once per set of parameters; a different earlier demo is an error, not a mix."""
        out = Path(settings.TENURE_HOME) / "extracts"
        wanted = {"customers": customers, "months": months, "seed": seed}
        manifest = out / "truth" / "manifest.json"
        if manifest.exists():
            previous = json.loads(manifest.read_text())
            if all(previous.get(k) == v for k, v in wanted.items()):
                self.stderr.write(f"Reusing the bank generated earlier in {out}")
                return out
            raise CommandError(
                f"{settings.TENURE_HOME} already holds a demo bank generated with "
                f"{ {k: previous.get(k) for k in wanted} }; use another TENURE_HOME or remove it (make clean)"
            )
        call_command("generate", customers=customers, months=months, seed=seed, out=str(out), json=quiet,
                     stdout=self.stderr if quiet else self.stdout)  # fmt: skip
        return out

    def _print_logins(self, logins: list[dict], port: int) -> None:
        password = "TENURE_DEMO_PASSWORD" if os.environ.get("TENURE_DEMO_PASSWORD") else "tenure-demo"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Tenure demo ready: http://127.0.0.1:{port}/"))
        self.stdout.write(f"Demo logins (password: {password}):")
        for login in logins:
            self.stdout.write(f"  {login['username']:<16} {login['role']:<12} {login['branch']}  {login['about']}")
