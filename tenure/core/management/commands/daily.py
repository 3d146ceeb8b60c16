"""`tenure daily [--date D] [--json]`: everything a bank runs after each import, in order.

The analytics pipeline (`tenure nightly`), then the work that reads its outputs: the serving copy
for customer pages, churn scores (when a model exists) and alerts (with survey scores for the
satisfaction signal), complaint SLA escalation, retention-lottery eligibility, and the survey
answers share of wallet reads. Each step is idempotent on its own, so the whole command is too:
run it again after a crash, or twice on the same date, and nothing changes the second time.
Follow-ups that act on "today" (scores, alerts, escalation) run only for the latest imported date.
"""

from __future__ import annotations

import io
import json
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tenure.core.progress import print_json_summary
from tenure.ingest.selectors import latest_business_date


class Command(BaseCommand):
    help = "Run the nightly pipeline and every follow-up (serving copy, churn, complaints, retention, surveys)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="business date (default: the latest imported)")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print a one-line JSON summary")

    def handle(self, *args, date: str | None, as_json: bool, **options) -> None:
        latest = latest_business_date()
        if latest is None:
            raise CommandError("nothing imported yet: run `tenure import <folder>` first")
        day = date or latest.isoformat()
        steps: list[tuple[str, list[str]]] = [
            ("nightly", ["nightly", "--date", day]),
            ("serving", ["build_serving"]),
            ("survey_assets", ["surveys", "export-assets"]),
            ("points", ["points", "earn", "--date", day]),
        ]
        if day == latest.isoformat():
            steps += [
                ("churn_score", ["churn", "score", "--date", day]),
                ("churn_alerts", ["churn", "alerts", "--date", day]),
                ("complaints_escalate", ["complaints", "escalate"]),
                ("retention_lottery", ["retention", "lottery", "--date", day]),
            ]
        summary: dict = {"business_date": day, "steps": {}, "seconds": {}}
        for name, argv in steps:
            started = time.monotonic()
            if not as_json:
                self.stdout.write(f"== {name}")
            summary["steps"][name] = self._run(name, argv)
            summary["seconds"][name] = round(time.monotonic() - started, 2)
            if not as_json:
                self.stdout.write(f"   {summary['steps'][name]}")
        if as_json:
            print_json_summary(summary, self.stdout)

    def _run(self, name: str, argv: list[str]) -> dict | str:
        """One step's JSON summary, or why it was skipped (a churn model not trained yet is normal)."""
        if name == "churn_score" and not _model_exists():
            return "skipped: no churn model yet (tenure churn train)"
        if name == "churn_score" and _already_scored(argv[-1]):
            return "skipped: already scored with the latest model"
        out = io.StringIO()
        call_command(*argv, "--json", stdout=out)
        return json.loads(out.getvalue().strip().splitlines()[-1])


def _model_exists() -> bool:
    from tenure.churn.models import ChurnModel

    return ChurnModel.objects.exists()


def _already_scored(day: str) -> bool:
    from tenure.churn.models import ChurnModel, ChurnScore

    version = ChurnModel.objects.order_by("-version").values_list("version", flat=True).first()
    return ChurnScore.objects.filter(business_date=day, model_version=version).exists()
