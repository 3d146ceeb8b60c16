"""Offer campaigns: the members are the scored customers of a branch who may be offered the type,
split at random into treated and a held-out control group (same seed: same split); measured from the
accounts opened after the scores, with the effect's 95 % interval."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tenure.offers.campaigns import CampaignError, offer_campaign_create, offer_campaign_measure
from tests.analytics.bank import write_table
from tests.factories import make_customer
from tests.offers.helpers import assessed, product
from tests.offers.test_book import _scores


def test_split_measure_and_effect_with_interval(bank, english):
    today = timezone.localdate()
    product("W-R2", risk="R2")
    for i in range(40):
        c = make_customer(bank, f"C9{i:05d}", f"客户{i}", "S0101")
        assessed(c, "C3", on=today)
    assessed(bank.customers["zhao"], "C3", on=today)  # another branch: not a member
    _scores(bank, {f"C9{i:05d}": [("wealth", 0.3)] for i in range(40)} | {"zhao": [("wealth", 0.9)]})
    with pytest.raises(PermissionDenied):
        offer_campaign_create(
            by=bank.staff["rm_a"],
            name="x",
            branch=bank.branches["B01"],
            product_type="wealth",
            min_score=0.1,
            control_share=0.5,
            seed=1,
        )
    head = bank.staff["head_a"]
    args = dict(name="理财季", branch=bank.branches["B01"], product_type="wealth", min_score=0.1, control_share=0.25)
    campaign = offer_campaign_create(by=head, seed=7, **args)
    members = {m.customer_id: m.group for m in campaign.members.all()}
    assert len(members) == 40 and "C0000009" not in members
    assert sum(g == "control" for g in members.values()) == 10
    again = offer_campaign_create(by=head, seed=7, **args)
    assert {m.customer_id: m.group for m in again.members.all()} == members  # same seed, same split

    with pytest.raises(CampaignError, match="Nothing imported after"):
        offer_campaign_measure(campaign=campaign, by=head)
    treated = [n for n, g in members.items() if g == "treated"]
    control = [n for n, g in members.items() if g == "control"]
    later = dt.date(2026, 2, 28)
    write_table(
        "products", later, [{"product_code": "W-R2", "product_type": "wealth", "risk_rating": "R2", "issuer": "BANK"}]
    )
    opened = treated[:15] + control[:2]
    write_table(
        "accounts",
        later,
        [
            {"account_id": f"N{i}", "customer_no": n, "product_code": "W-R2", "opened_on": later, "status": "active"}
            for i, n in enumerate(opened)
        ],
    )
    result = offer_campaign_measure(campaign=campaign, by=head)
    t, c = result["groups"]["treated"], result["groups"]["control"]
    assert (t["known"], t["adopted"], c["known"], c["adopted"]) == (30, 15, 10, 2)
    effect = result["effect"]
    assert effect.diff == pytest.approx(0.5 - 0.2) and effect.low < 0.3 < effect.high


def test_no_scores_no_campaign(bank, english):
    with pytest.raises(CampaignError, match="No offers scored yet"):
        offer_campaign_create(
            by=bank.staff["head_a"],
            name="x",
            branch=bank.branches["B01"],
            product_type="wealth",
            min_score=0,
            control_share=0.5,
            seed=1,
        )
