"""`tenure rotate-keys`: re-encrypt every protected field with a new data key.

Not migrated first by `tenure` (tenure/cli.py): rotating keys is a deliberate act on an existing
database, so it neither changes the schema on the side nor, on a fresh TENURE_HOME, makes a key
only to rotate it; either case is one line saying why.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from tenure.core import crypto
from tenure.core.database import pending_migrations
from tenure.core.keys import field_key_problem, rotate_field_keys
from tenure.core.progress import print_json_summary


class Command(BaseCommand):
    help = "Re-encrypt resident IDs, mobiles, account and card numbers with a new key (resumable)."
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON summary line")

    def handle(self, *args, json: bool, **options):
        if not os.environ.get("TENURE_FIELD_KEY") and not Path(settings.FIELD_KEY_FILE).exists():
            raise CommandError(
                _lost_key()
                or f"nothing to rotate: no field key yet (TENURE_FIELD_KEY is not set and {settings.FIELD_KEY_FILE} "
                "does not exist)"
            )
        if pending_migrations():
            raise CommandError("the database is not up to date: run `tenure migrate` first")
        problem = field_key_problem()  # a rotation needs every key the data uses: it must decrypt it all
        if problem:
            raise CommandError(problem)
        try:
            summary = rotate_field_keys(show_progress=not json)
        except crypto.KeyError_ as exc:  # a malformed TENURE_FIELD_KEY
            raise CommandError(str(exc)) from exc
        if json:
            print_json_summary(summary, self.stdout)
        else:
            self.stdout.write(
                f"Re-encrypted {summary['reencrypted']} values; active key {summary['active_key_id']}; "
                f"retired keys: {', '.join(summary['retired_key_ids']) or 'none'}"
            )


def _lost_key() -> str | None:
    """With no key at all: the lost key the database's values use, if it has any (a fresh home has no
    database, and checking makes none)."""
    name = settings.DATABASES["default"]["NAME"]
    if connection.vendor == "sqlite" and not Path(name).exists():
        return None
    try:
        return field_key_problem()
    except DatabaseError:  # not migrated yet: no values
        return None
