"""`tenure complaints escalate|generate`: SLA escalation (idempotent) and synthetic demo complaints."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "Escalate complaints past their SLA; generate synthetic complaints for a demo bank."
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        escalate = sub.add_parser("escalate", help="raise open complaints past their SLA")
        escalate.add_argument("--at", type=dt.datetime.fromisoformat, help="as if now were this time")
        generate = sub.add_parser("generate", help="create about --rate of customers' complaints (once per bank)")
        generate.add_argument("--rate", type=float, default=0.04, help="share of customers who complain (default 0.04)")
        generate.add_argument("--seed", type=int, default=42)
        generate.add_argument("--as-of", type=dt.date.fromisoformat, help="history ends here (default today)")
        for p in (escalate, generate):
            p.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args, **options) -> None:
        if options["action"] == "escalate":
            from tenure.complaints.escalation import escalate_due

            at = options.get("at")
            result = escalate_due(now=timezone.make_aware(at) if at and timezone.is_naive(at) else at)
        else:
            if not 0 < options["rate"] <= 1:
                raise CommandError("--rate must be in (0, 1]")
            from tenure.complaints.generate import complaints_generate

            result = complaints_generate(rate=options["rate"], seed=options["seed"], as_of=options.get("as_of"))
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True, default=str))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")
