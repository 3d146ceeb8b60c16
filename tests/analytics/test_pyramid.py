"""The value pyramid of the tiny bank: shares, deterministic ties, per branch, the 80/20 check."""

import copy

import pytest

from tenure.analytics.config import ConfigError, active_config, config_save
from tenure.analytics.models import CustomerValue, NightlyRun
from tests.analytics.bank import D4
from tests.analytics.helpers import nightly, output_rows

pytestmark = pytest.mark.django_db


def test_levels_by_contribution_rank_with_default_shares(bank):
    summary = nightly()
    pyramid = output_rows("pyramid", D4)
    # 7 customers: key = ceil(0.07) = 1, key+important = ceil(1.4) = 2, +ordinary = ceil(3.5) = 4.
    ranks = {c: (row["contribution_rank"], row["value_level"]) for c, row in pyramid.items()}
    assert ranks == {
        "C6": (1, "key"),  # 21,450
        "C1": (2, "important"),  # 19,950
        "C4": (3, "ordinary"),  # 7,205: the loan makes it valuable though its AUM is 0
        "C3": (4, "ordinary"),
        "C2": (5, "small"),  # 1,450, tied with C5: the lower customer number ranks first
        "C5": (6, "small"),
        "C7": (7, "small"),
    }
    assert summary["pyramid"] == {"important": 1, "key": 1, "ordinary": 2, "small": 3}


def test_a_tie_on_a_level_boundary_is_broken_by_customer_number(bank):
    rules = copy.deepcopy(active_config().rules)
    # key+important+ordinary = 70%: ceil(7 × 0.7) = 5 puts the boundary between tied C2 and C5.
    rules["pyramid_bp"] = {"key": 100, "important": 1900, "ordinary": 5000, "small": 3000}
    config_save(rules=rules)
    nightly()
    pyramid = output_rows("pyramid", D4)
    assert pyramid["C2"]["contribution"] == pyramid["C5"]["contribution"]
    assert (pyramid["C2"]["value_level"], pyramid["C5"]["value_level"]) == ("ordinary", "small")


def test_levels_per_branch(bank):
    nightly()
    pyramid = output_rows("pyramid", D4)
    # B1: C1 19,950 > C5 1,450 > C7 −49 → cut-offs 1, 1, 2.  B2: C6, C4, C3, C2 → cut-offs 1, 1, 2.
    got = {c: (row["branch_rank"], row["branch_value_level"]) for c, row in pyramid.items()}
    assert got == {
        "C1": (1, "key"),
        "C5": (2, "ordinary"),
        "C7": (3, "small"),
        "C6": (1, "key"),
        "C4": (2, "ordinary"),
        "C3": (3, "small"),
        "C2": (4, "small"),
    }
    detail = NightlyRun.objects.get(step="pyramid").detail
    assert detail["by_branch"] == {
        "B1": {"key": 1, "ordinary": 1, "small": 1},
        "B2": {"key": 1, "ordinary": 1, "small": 2},
    }


def test_eighty_twenty_check(bank):
    summary = nightly()
    # Top 20% = ceil(1.4) = 2 customers: (21,450 + 19,950) / 53,532.67.
    assert summary["top20_share"] == round(41400 / 53532.67, 4)
    pareto = NightlyRun.objects.get(step="pyramid").detail["pareto"]
    assert pareto["total_contribution"] == "53532.67"
    assert pareto["curve"][-1] == [1.0, 1.0]


def test_shares_must_add_up(bank):
    rules = copy.deepcopy(active_config().rules)
    rules["pyramid_bp"]["small"] = 4000
    with pytest.raises(ConfigError):
        config_save(rules=rules)


def test_value_level_and_contribution_reach_the_db(bank):
    nightly()
    c4 = CustomerValue.objects.get(customer_id="C4")
    assert (c4.value_level, str(c4.contribution), c4.contribution_rank, c4.config_version) == (
        "ordinary",
        "7205.00",
        3,
        1,
    )
