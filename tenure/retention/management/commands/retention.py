"""`tenure retention lottery|measure`: the nightly lottery check and campaign measurement."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from tenure.ingest.selectors import latest_business_date


class Command(BaseCommand):
    help = "Retention: check the retention lottery at a business date; measure a campaign's outcomes."
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        lottery = sub.add_parser("lottery", help="invite after AUM drops and mark who is back at last month's AUM")
        lottery.add_argument("--date", type=dt.date.fromisoformat, help="default: the latest imported date")
        measure = sub.add_parser("measure", help="set campaign members' outcomes (labels, else alert outcomes)")
        measure.add_argument("--campaign", type=int, required=True)
        for p in (lottery, measure):
            p.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args, **options) -> None:
        if options["action"] == "lottery":
            from tenure.retention.lottery import lottery_evaluate

            day = options["date"] or latest_business_date()
            if day is None:
                raise CommandError("nothing imported yet: run `tenure import <folder>` first")
            result = lottery_evaluate(day=day)
        else:
            from tenure.retention.campaigns import campaign_measure, campaign_result
            from tenure.retention.models import Campaign

            campaign = Campaign.objects.filter(pk=options["campaign"]).first()
            if campaign is None:
                raise CommandError(f"no campaign {options['campaign']}")
            source = campaign_measure(campaign=campaign, by=None)
            outcome = campaign_result(campaign.members.all())
            effect = outcome["effect"]
            result = {
                "campaign": campaign.pk,
                "source": source,
                "groups": outcome["groups"],
                "effect": None if effect is None else {"diff": effect.diff, "low": effect.low, "high": effect.high},
            }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True, default=str))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")
