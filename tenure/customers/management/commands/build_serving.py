"""`tenure build_serving`: refresh the read-optimised copy of balances and transactions.

Run after `tenure import` / `tenure nightly`; until it runs, customer pages read the partitions
directly (correct, slower). Idempotent: nothing is rebuilt when the partitions did not change.
"""

import json

from django.core.management.base import BaseCommand

from tenure.lake import serving_build_all


class Command(BaseCommand):
    help = "Build the sorted serving copy of the lake's balances and transactions (idempotent)."
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="print one JSON summary line")

    def handle(self, *args, as_json: bool = False, **options):
        summary = serving_build_all()
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        for table, info in summary.items():
            state = "built" if info["built"] else "up to date" if info["path"] else "no partitions"
            self.stdout.write(f"{table}: {state} ({info['seconds']} s)")
