"""`tenure surveys templates|generate|issue|callbacks`."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tenure.surveys.models import Channel, Survey, Wave


class Command(BaseCommand):
    help = "Survey templates, demo answers, issuing a wave and decline callbacks."
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        templates = sub.add_parser("templates", help="install the shipped survey templates (idempotent)")
        generate = sub.add_parser("generate", help="demo waves with synthetic answers (deterministic, once)")
        generate.add_argument("--seed", type=int, default=7)
        generate.add_argument("--size", type=int, default=500, help="customers sampled per wave")
        issue = sub.add_parser("issue", help="draw a sample from every customer and write the link file (CSV)")
        issue.add_argument("--survey", required=True, help="survey code, e.g. relationship")
        issue.add_argument("--name", required=True)
        issue.add_argument("--size", type=int, default=0, help="0: every eligible customer")
        issue.add_argument("--seed", type=int, default=1)
        issue.add_argument("--tier", action="append", default=[], help="asset tier (repeatable)")
        issue.add_argument("--branch", action="append", default=[], help="branch code with its subtree (repeatable)")
        issue.add_argument("--channel", choices=Channel.values, default=Channel.SMS)
        issue.add_argument("--cap-days", type=int, default=90)
        issue.add_argument("--valid-days", type=int, default=14)
        issue.add_argument("--base-url", default="http://127.0.0.1:8000", help="prefix of the links")
        issue.add_argument("--out", required=True, type=Path, help="CSV: customer_no,token,url,expires_at")
        callbacks = sub.add_parser("callbacks", help="callback tasks for branches whose satisfaction fell")
        callbacks.add_argument("--wave", type=int, required=True)
        callbacks.add_argument("--threshold", type=float, default=0.5, help="points on the 0–10 score")
        for p in (templates, generate, issue, callbacks):
            p.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args, **options) -> None:
        from tenure.surveys import catalog, demo_data, services
        from tenure.surveys.sampling import SampleRule

        action = options["action"]
        result: dict[str, Any]  # one JSON line, or one "key: value" line each
        if action == "templates":
            result = catalog.templates_install()
        elif action == "generate":
            from tenure.customers.models import Customer

            # Demo waves of an empty bank would count as made, and never be made once customers arrive.
            if not Customer.objects.exists():
                result = {"created": False, "skipped": "no customers"}
            else:
                result = demo_data.generate(seed=options["seed"], size=options["size"])
        elif action == "issue":
            survey = Survey.objects.filter(code=options["survey"]).first()
            if survey is None:
                raise CommandError(f"no survey with code {options['survey']!r} (run `tenure surveys templates`)")
            rule = SampleRule(
                branches=options["branch"], tiers=options["tier"], size=options["size"], seed=options["seed"]
            )
            issued = services.wave_issue(
                survey=survey,
                by=None,
                name=options["name"],
                rule=rule,
                channel=options["channel"],
                cap_days=options["cap_days"],
                valid_days=options["valid_days"],
                system=True,
            )
            self._write_links(options["out"], issued, options["base_url"].rstrip("/"))
            result = {"wave": issued.wave.pk, "invited": len(issued.links), "out": str(options["out"])}
        else:
            wave = Wave.objects.filter(pk=options["wave"]).first()
            if wave is None:
                raise CommandError(f"no wave {options['wave']}")
            result = services.callbacks_for_decline(wave=wave, threshold=options["threshold"])
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True, default=str))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")

    def _write_links(self, out: Path, issued, base: str) -> None:
        """The one copy of the tokens (0600): for the SMS system or a benchmark, never kept by Tenure."""
        from tenure.customers.models import Customer

        numbers = dict(
            Customer.objects.filter(pk__in=[i.customer_id for i, _ in issued.links]).values_list("pk", "customer_no")
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.touch(mode=0o600)
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["customer_no", "token", "url", "expires_at"])
            for invitation, token in issued.links:
                expires = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")
                writer.writerow([numbers[invitation.customer_id], token, f"{base}/p/s/{token}/", expires])
