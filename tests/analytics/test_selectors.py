"""What pages read: current value and history, aggregates scoped to branches, a rules preview."""

import copy

import pytest

from tenure.analytics import selectors
from tenure.analytics.config import active_config
from tenure.analytics.models import AnalyticsConfig
from tests.analytics.bank import D4
from tests.analytics.helpers import nightly

pytestmark = pytest.mark.django_db


def test_customer_value_and_tier_history(bank):
    nightly()
    assert selectors.customer_value(customer_no="C1").asset_tier == "black_gold"
    assert [(e.from_tier, e.to_tier) for e in selectors.tier_history(customer_no="C1")] == [("platinum", "black_gold")]
    assert selectors.customer_value(customer_no="nobody") is None
    assert selectors.published_date() == D4


def test_summaries_scoped_to_branches(bank):
    nightly()
    bank_wide = selectors.tier_summary()
    assert bank_wide["counts"] == {"black_gold": 2, "gold": 3, "standard": 2}
    b1 = selectors.tier_summary(branch_codes={"B1"})
    assert b1["counts"] == {"black_gold": 1, "gold": 1, "standard": 1} and set(b1["by_branch"]) == {"B1"}
    assert ["platinum", "black_gold", 1] in bank_wide["migration"]
    assert selectors.pyramid_summary(branch_codes={"B2"})["counts"] == {"key": 1, "ordinary": 1, "small": 2}


def test_rules_preview_writes_nothing(bank):
    nightly()
    rules = copy.deepcopy(active_config().rules)
    rules["tiers"]["basis"] = "aum"
    preview = selectors.rules_preview(rules=rules)
    assert preview["tiers"] == {"black_gold": 2, "gold": 1, "platinum": 1, "standard": 3}
    assert preview["pyramid"] == {"important": 1, "key": 1, "ordinary": 2, "small": 3}
    assert AnalyticsConfig.objects.count() == 1


def test_summaries_before_any_run(lake, db):
    assert selectors.tier_summary()["counts"] == {} and selectors.pyramid_summary()["pareto"] is None
    assert selectors.rules_preview(rules=active_config().rules)["business_date"] is None


def test_config_history_marks_the_version_the_published_run_used():
    from django.utils import translation

    from tenure.analytics.config import config_save
    from tenure.analytics.models import NightlyRun

    first = active_config()
    NightlyRun.objects.create(
        business_date=D4,
        step="customer_values",
        run_key="k",
        config_version=first.version,
        engine="duckdb",
        status="done",
        published=True,
    )
    rules = copy.deepcopy(first.rules)
    rules["tiers"]["thresholds"]["gold"] = "150000"
    config_save(rules=rules, note="raise gold")
    with translation.override("en"):
        history = selectors.config_history()
    newest, used = history
    assert (newest["version"], newest["published"], newest["why"]) == (first.version + 1, False, "raise gold")
    assert (used["version"], used["published"]) == (first.version, True)
    assert dict(newest["thresholds"])["Gold"] == 150000 and dict(used["thresholds"])["Gold"] == 100000
    assert sum(share for _, share in newest["shares"]) == 100
