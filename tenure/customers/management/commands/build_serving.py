"""`tenure build_serving`: refresh the read-optimised copy of balances and transactions.

Run after `tenure import` / `tenure nightly`; until it runs, customer pages read the partitions
directly (correct, slower). Idempotent: nothing is rebuilt when the partitions did not change.
"""

import json
import time

from django.core.management.base import BaseCommand

from tenure.customers.serving import TABLES, serving_build


class Command(BaseCommand):
    help = "Build the sorted serving copy of the lake's balances and transactions (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="print one JSON summary line")

    def handle(self, *args, as_json: bool = False, **options):
        summary = {}
        for table in TABLES:
            started = time.perf_counter()
            path, built = serving_build(table)
            summary[table] = {"path": str(path) if path else None, "built": built,
                              "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip
            if not as_json:
                state = "built" if built else "up to date" if path else "no partitions"
                self.stdout.write(f"{table}: {state} ({summary[table]['seconds']} s)")
        if as_json:
            self.stdout.write(json.dumps(summary))
