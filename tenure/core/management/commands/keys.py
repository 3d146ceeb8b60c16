"""`tenure keys init|status`: make the field-encryption key once; show which keys the data uses.

`init` is the explicit first set-up (`tenure demo` does it too): no other command makes a key, and
`init` never replaces one. `status` prints key ids, never key material. Back-up and recovery:
docs/security.md, "Keys: back-up and recovery".
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from tenure.core import crypto
from tenure.core.keys import KeyProblem, field_key_init, field_key_problem, key_created_line, key_ids_in_use


class Command(BaseCommand):
    help = "Create the field-encryption key (first set-up, never replaces one) or show the key ids in use."
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="create TENURE_HOME/keys/field.key (refuses when a key or data exists)")
        status = sub.add_parser(
            "status", help="the configured key ids and those the database uses (exit 1 when one is missing)"
        )
        for p in (init, status):
            p.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args, action: str, json: bool, **options) -> None:
        if action == "init":
            self._init(json)
            return
        result = self._status()
        if json:
            self.stdout.write(_dumps(result))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {', '.join(value) if isinstance(value, list) else value}")

    def _init(self, as_json: bool) -> None:
        try:
            created = field_key_init()
        except KeyProblem as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            made = {"path": crypto.key_source(), "active": created.active_key_id, "index_key": created.index_key_id}
            self.stdout.write(_dumps(made))
        else:
            self.stdout.write(key_created_line(created))

    def _status(self) -> dict:
        problem = field_key_problem()
        if problem:
            raise CommandError(problem)
        loaded = crypto.configured_cipher()
        if loaded is None:
            raise CommandError(f"no field key yet ({crypto.key_source()} does not exist): {crypto.FIRST_SET_UP}")
        return {
            "source": crypto.key_source(),
            "active": loaded.active_key_id,
            "data_keys": list(loaded.key_ids),
            "index_key": loaded.index_key_id,
            "in_use": sorted(key_ids_in_use()),
        }


def _dumps(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
