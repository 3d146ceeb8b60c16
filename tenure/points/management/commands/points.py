"""`tenure points earn|statement|rules`: the daily earning run, a merchant's monthly statement, the rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenure.core.runlock import add_wait_argument, command_lock
from tenure.ingest.selectors import latest_business_date


def _month(text: str) -> dt.date:
    return dt.date.fromisoformat(f"{text}-01")


class Command(BaseCommand):
    help = "Merchant loyalty points: earn for imported dates, print a statement, show or change the rules."
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        earn = sub.add_parser(
            "earn", help="turn each imported date's card volume (up to --date) into points; expire old points"
        )
        earn.add_argument("--date", type=dt.date.fromisoformat, help="default: the latest imported date")
        add_wait_argument(earn)
        statement = sub.add_parser("statement", help="a merchant's points for one month")
        statement.add_argument("--merchant", required=True, help="merchant number")
        statement.add_argument("--month", type=_month, help="YYYY-MM (default: the month of the latest imported date)")
        rules = sub.add_parser("rules", help="print the active rules, or save a new version from a JSON file")
        rules.add_argument("--set", type=Path, help="a JSON file with the whole rules object")
        rules.add_argument("--note", default="", help="why the rules change (kept with the version)")
        for p in (earn, statement, rules):
            p.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args, **options) -> None:
        result = getattr(self, f"_{options['action']}")(options)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True, default=str))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")

    def _earn(self, options) -> dict:
        from tenure.points.services import earn_run

        day = options["date"] or latest_business_date()
        if day is None:
            raise CommandError("nothing imported yet: run `tenure import <folder>` first")
        with command_lock("points earn", wait=options.get("wait", False), stderr=self.stderr):
            return earn_run(upto=day)

    def _statement(self, options) -> dict:
        from tenure.customers.models import Merchant
        from tenure.points.selectors import statement

        merchant = Merchant.objects.filter(merchant_no=options["merchant"]).first()
        if merchant is None:
            raise CommandError(f"no merchant {options['merchant']!r}")
        month = options["month"] or latest_business_date() or dt.date.today()
        s = statement(merchant, month)
        return {
            "merchant": merchant.merchant_no,
            "month": s.month.strftime("%Y-%m"),
            "opening": s.opening,
            **s.totals,
            "closing": s.closing,
            "volume": str(s.volume),
            "capped_count": s.capped_count,
            "lines": [
                {"date": j.business_date.isoformat(), "kind": j.kind, "points": j.points, "memo": j.memo}
                for j in s.lines
            ],
        }

    def _rules(self, options) -> dict:
        from tenure.points.rules import active_rules, rules_save

        if options["set"] is None:
            current = active_rules()
            return {"version": current.version, "rules": current.rules}
        try:
            rules = json.loads(options["set"].read_text(encoding="utf-8"))
            saved = rules_save(rules=rules, note=options["note"])
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"{options['set']}: {exc}") from None
        except ValidationError as exc:
            raise CommandError(f"{options['set']}: {'; '.join(exc.messages)}") from None
        return {"version": saved.version, "rules": saved.rules}
