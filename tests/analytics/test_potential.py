"""Upgrade potential and cultivation advice on the tiny bank."""

import pytest

from tenure.analytics.models import CustomerValue, NightlyRun
from tests.analytics.bank import D4
from tests.analytics.helpers import nightly, output_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def potential(bank):
    nightly()
    return output_rows("potential", D4)


def test_tier_riser_by_three_month_trend(potential):
    # C5: 300,000 + (300,000 − 0) projected ≥ 300,000 (platinum, the tier above its gold).
    assert potential["C5"]["likely_tier_riser"] is True
    assert potential["C5"]["potential_score"] == 1.0
    # C6 is falling: 1,000,000 + (1,000,000 − 2,000,000) < 10,000,000.
    assert potential["C6"]["likely_tier_riser"] is False
    assert potential["C6"]["potential_score"] == 0.0


def test_level_riser_close_to_the_next_level_and_growing(potential):
    # C1: 19,950 ≥ 80% of the lowest key contribution (21,450), AUM up from 900,000 to 1,200,000.
    assert potential["C1"]["likely_level_riser"] is True
    assert potential["C1"]["potential_score"] == round(19950 / 21450, 4)
    # C2: 1,450 vs the lowest ordinary 2,076.67 is 70%: not close enough.
    assert potential["C2"]["likely_level_riser"] is False


def test_suggestions_follow_seed_002(potential):
    got = {c: row["suggestion"] for c, row in potential.items()}
    assert got == {
        "C6": "key_account",  # key customer: dedicated team
        "C1": "cultivate",  # potential riser: more visits and calls
        "C5": "cultivate",
        "C4": "reduce_cost",  # ordinary without potential
        "C3": "reduce_cost",
        "C2": "cheaper_channel",  # small without potential
        "C7": "review_loss",  # costs more than it brings
    }
    assert CustomerValue.objects.get(customer_id="C7").loss_making is True


def test_backtest_needs_six_months_of_history(potential):
    backtest = NightlyRun.objects.get(step="potential").detail["backtest"]
    assert backtest["evaluated"] == 0 and backtest["precision"] is None
