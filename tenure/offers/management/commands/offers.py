"""`tenure offers train|backtest`: the learned recommender from the command line."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from tenure.ingest.selectors import latest_business_date


class Command(BaseCommand):
    help = "Train the next-best-offer recommender on the lake; backtest it against a popularity baseline."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="train on every month-end up to --as-of and store the model")
        train.add_argument("--as-of", type=dt.date.fromisoformat, help="default: the latest imported date")
        backtest = sub.add_parser("backtest", help="precision@3 on a held-out month against the popularity baseline")
        backtest.add_argument("--month", type=dt.date.fromisoformat, help="held-out month-end (default: the latest)")
        for p in (train, backtest):
            p.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args, **options) -> None:
        if latest_business_date() is None:
            raise CommandError("nothing imported yet: run `tenure import <folder>` first")
        from tenure.offers import recommender

        try:
            if options["action"] == "train":
                result = recommender.train(as_of=options.get("as_of"))
            else:
                result = recommender.backtest(month=options.get("month"))
        except recommender.NotEnoughHistory as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")
