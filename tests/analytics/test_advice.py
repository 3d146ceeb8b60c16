"""Each upgrade-potential row gets advice drawn from its own figures (issue 29: one sentence for all)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tenure.analytics.selectors import next_tier_targets
from tests.analytics.helpers import customer_value
from tests.factories import english  # noqa: F401  (fixture)


@pytest.fixture
def rows(bank, english):  # noqa: F811
    values = [
        customer_value(
            "C0000001", "S0101", asset_tier="gold", aum=Decimal("310000"), avg_daily_aum_3m=Decimal("285000"),
            potential_score=1.0, likely_tier_riser=True, suggestion="cultivate",
        ),
        customer_value(
            "C0000002", "S0101", value_level="ordinary", contribution=Decimal("1800"), potential_score=0.99,
            likely_level_riser=True, suggestion="cultivate",
        ),
        customer_value("C0000003", "S0102", contribution=Decimal("-230"), suggestion="review_loss", loss_making=True),
    ]  # fmt: skip
    next_tier_targets(values)
    return {v.customer_id: v for v in values}


def test_a_tier_riser_is_told_the_gap_and_the_threshold(rows):
    advice = rows["C0000001"].advice
    assert "¥15,000" in advice and "Platinum" in advice and "¥300,000" in advice
    assert rows["C0000001"].score_driver == "tier"


def test_a_level_riser_is_told_the_level_and_scored_on_contribution_not_the_tier_threshold(rows):
    advice = rows["C0000002"].advice
    assert "¥1,800" in advice and "Important" in advice and "¥100,000" not in advice
    assert rows["C0000002"].score_driver == "level"


def test_rows_read_differently(rows):
    assert len({v.advice for v in rows.values()}) == 3
    assert "¥230" in rows["C0000003"].advice
