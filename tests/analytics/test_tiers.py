"""Asset tiers of the tiny bank: thresholds hit exactly, both bases, events and downgrade warnings."""

import copy
from decimal import Decimal

import pytest

from tenure.analytics.config import active_config, config_save
from tenure.analytics.models import CustomerValue, TierEvent
from tests.analytics.bank import D4
from tests.analytics.helpers import nightly, output_rows

pytestmark = pytest.mark.django_db


def _use_basis(basis: str, margin: str = "0.10") -> None:
    rules = copy.deepcopy(active_config().rules)
    rules["tiers"].update(basis=basis, downgrade_margin=margin)
    config_save(rules=rules, note=f"basis {basis}")


def test_default_basis_is_three_month_average_daily_aum(bank):
    summary = nightly()
    assert summary["tiers"] == {"black_gold": 2, "gold": 3, "standard": 2}
    tiers = output_rows("tiers", D4)
    assert tiers["C2"]["asset_tier"] == "gold"  # exactly 100,000.00: the threshold belongs to the higher tier
    assert tiers["C3"]["asset_tier"] == "gold"  # 106,333.33 although April ends at 99,999.99
    assert tiers["C1"]["tier_basis"] == Decimal("1050000.00")


def test_tiers_by_aum_of_the_date_at_and_just_below_thresholds(bank):
    _use_basis("aum")
    summary = nightly()
    tiers = output_rows("tiers", D4)
    got = {c: row["asset_tier"] for c, row in tiers.items()}
    assert got == {
        "C1": "black_gold",  # 1,200,000
        "C2": "gold",  # 100,000.00 exactly
        "C3": "standard",  # 99,999.99
        "C4": "standard",  # loans are not AUM
        "C5": "platinum",  # 300,000 exactly
        "C6": "black_gold",  # 1,000,000 exactly
        "C7": "standard",
    }
    assert summary["tiers"] == {"black_gold": 2, "gold": 1, "platinum": 1, "standard": 3}
    assert summary["config_version"] == 2


def test_tier_changes_become_events_with_direction(bank):
    nightly()
    events = {e.customer_id: (e.from_tier, e.to_tier, e.direction) for e in TierEvent.objects.all()}
    # C1: 950,000 → 1,050,000 average. C5 joined in April: no previous tier, no event.
    assert events == {"C1": ("platinum", "black_gold", "up")}
    _use_basis("aum")
    nightly()
    events = {e.customer_id: (e.from_tier, e.to_tier, e.direction) for e in TierEvent.objects.all()}
    # By month-end AUM C1 was already black-gold in March (1,000,000); C3 fell from 105,000 to 99,999.99.
    assert events == {"C3": ("gold", "standard", "down")}
    assert TierEvent.objects.get().config_version == 2


def test_downgrade_warning_when_close_above_a_threshold_and_falling(bank):
    nightly()
    values = {v.customer_id: v for v in CustomerValue.objects.all()}
    # C3: 106,333.33 < 100,000 × 1.10 and below last month's 111,666.67.
    assert {c for c, v in values.items() if v.downgrade_warning} == {"C3"}
    _use_basis("aum")
    nightly()
    # C6: 1,000,000 < 1,100,000 and falling from 1,800,000; C2 at 100,000 is within the margin but flat.
    warned = set(CustomerValue.objects.filter(downgrade_warning=True).values_list("customer_id", flat=True))
    assert warned == {"C6"}
    _use_basis("aum", margin="0")
    nightly()
    assert not CustomerValue.objects.filter(downgrade_warning=True).exists()


def test_previous_tier_and_next_tier(bank):
    nightly()
    tiers = output_rows("tiers", D4)
    assert tiers["C5"]["previous_tier"] is None and tiers["C5"]["tier_change"] is None
    assert (tiers["C2"]["next_tier"], tiers["C2"]["next_tier_min"]) == ("platinum", 300000.0)
    assert tiers["C6"]["next_tier"] == "diamond"


def test_saving_rules_creates_an_audited_version(bank):
    from tenure.core.models import AuditEntry

    _use_basis("aum")
    assert active_config().version == 2
    assert AuditEntry.objects.filter(action="analytics.config_save", object_id="2").exists()
