"""`tenure churn train|score|evaluate|alerts`: the churn model and alerts from the command line."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from tenure.churn.config import churn_config
from tenure.churn.labels import LabelsUnavailable
from tenure.churn.model import evaluate_table
from tenure.ingest.selectors import latest_business_date


class Command(BaseCommand):
    help = "Train, score and evaluate the churn model; raise churn alerts."
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="train and store a new model version on history up to --as-of")
        train.add_argument("--as-of", type=dt.date.fromisoformat, help="default: the latest imported date")
        score = sub.add_parser("score", help="score every customer at --date with the latest model")
        score.add_argument("--date", type=dt.date.fromisoformat, help="default: the latest imported date")
        alerts = sub.add_parser("alerts", help="evaluate the rule signals at --date and route alerts")
        alerts.add_argument("--date", type=dt.date.fromisoformat, help="default: the latest imported date")
        evaluate = sub.add_parser("evaluate", help="K-fold cross-validation of the same model on any labelled CSV")
        evaluate.add_argument("--dataset", required=True)
        evaluate.add_argument("--target", required=True)
        evaluate.add_argument("--positive", required=True)
        evaluate.add_argument("--folds", type=int, default=5)
        evaluate.add_argument("--seed", type=int, default=0)
        for p in (train, score, alerts, evaluate):
            p.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "evaluate":
            try:
                frame = pd.read_csv(options["dataset"])
            except (OSError, ValueError) as exc:  # missing, unreadable, empty or not CSV
                raise CommandError(f"{options['dataset']}: cannot read the CSV: {exc}") from None
            if options["target"] not in frame.columns:
                raise CommandError(f"no column {options['target']!r} in {options['dataset']}")
            result = evaluate_table(
                frame,
                options["target"],
                options["positive"],
                options["folds"],
                options["seed"],
                churn_config()["model"],
            )
            return self._out(result, options)
        day = options.get("as_of") or options.get("date") or latest_business_date()
        if day is None:
            raise CommandError("nothing imported yet: run `tenure import <folder>` first")
        from tenure.churn import alerts, services

        try:
            if action == "train":
                row = services.train_model(as_of=day)
                m = row.metrics
                measured = {k: m["validation_calibrated"][k] for k in ("roc_auc", "pr_auc", "ece", "top_decile_lift")}
                result = {
                    "version": row.version,
                    "as_of": day.isoformat(),
                    "validation_date": m["validation_date"],
                    "train_dates": m["train_dates"],
                    **measured,
                }
            elif action == "score":
                result = services.score_date(day=day)
            else:
                result = alerts.raise_alerts_with_surveys(day=day)
        except (LabelsUnavailable, LookupError) as exc:
            raise CommandError(str(exc)) from exc
        self._out(result, options)

    def _out(self, result: dict, options: dict) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True, default=str))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")
