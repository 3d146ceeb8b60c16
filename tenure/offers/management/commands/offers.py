"""`tenure offers train|evaluate|score`: the learned recommender from the command line."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from tenure.ingest.selectors import latest_business_date


class Command(BaseCommand):
    help = "Train the next-best-offer recommender on the lake; evaluate it against a popularity baseline."
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="train on every month-end up to --as-of and store the model")
        train.add_argument("--as-of", type=dt.date.fromisoformat, help="default: the latest imported date")
        evaluate = sub.add_parser("evaluate", help="hit rate@3 on a held-out month against the popularity baseline")
        evaluate.add_argument(
            "--as-of", type=dt.date.fromisoformat, help="the month-end whose offers are judged (default: the latest)"
        )
        score = sub.add_parser("score", help="score every customer's three best offers (a step of `tenure daily`)")
        score.add_argument("--date", type=dt.date.fromisoformat, help="business date (default: the latest imported)")
        for p in (train, evaluate, score):
            p.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args, **options) -> None:
        latest = latest_business_date()
        if latest is None:
            raise CommandError("nothing imported yet: run `tenure import <folder>` first")
        from tenure.offers import recommender, scoring

        try:
            if options["action"] == "train":
                result = recommender.train(as_of=options.get("as_of"))
            elif options["action"] == "score":
                result = scoring.offers_score(day=options.get("date") or latest)
            else:
                result = recommender.evaluate(as_of=options.get("as_of"))
        except (recommender.NotEnoughHistory, scoring.ScoringUnavailable) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")
