"""Retention campaigns: reproducible control split, selection in scope, outcomes and the Newcombe interval."""

import datetime as dt

import pandas as pd
import pytest

from tenure.churn.labels import LabelsUnavailable
from tenure.churn.models import Alert, ChurnScore
from tenure.core.experiments import newcombe_difference, split_groups, wilson
from tenure.customers.models import Customer
from tenure.retention import campaigns
from tenure.retention.models import Campaign, CampaignMember
from tests.factories import make_customer

DAY = dt.date(2026, 7, 31)


def test_same_seed_same_split_whatever_the_order():
    ids = list(range(1, 1001))
    first = split_groups(ids, 0.2, seed=7)
    assert first == split_groups(list(reversed(ids)), 0.2, seed=7)
    assert sum(g == "control" for g in first.values()) == 200
    assert first != split_groups(ids, 0.2, seed=8)


@pytest.mark.parametrize(
    "k1,n1,k2,n2,low,high",
    [
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
    ],
)
def test_newcombe_interval_matches_the_published_examples(k1, n1, k2, n2, low, high):
    d = newcombe_difference(k1, n1, k2, n2)  # Newcombe (1998), Statistics in Medicine 17, table II
    assert (round(d.low, 4), round(d.high, 4)) == (low, high)
    assert d.diff == pytest.approx(k1 / n1 - k2 / n2)


def test_wilson_stays_in_zero_one_and_wald_does_not():
    assert wilson(0, 29)[0] == 0.0
    d = newcombe_difference(5, 56, 0, 29)
    assert d.low < 0 < d.wald_low  # Wald claims an effect the data do not show


def scored_bank(bank):
    customers = [bank.customers[k] for k in ("wang", "wanglei", "li", "zhao")]
    for n in range(20):
        customers.append(make_customer(bank, f"C10{n:05d}", f"客户{n}", "S0101" if n % 2 else "S0201"))
    for n, c in enumerate(customers):
        ChurnScore.objects.create(
            customer=c,
            business_date=DAY,
            model_version=1,
            probability=0.2 + n / 100,
            band="high" if n % 3 else "medium",
            reasons=[],
        )
    return customers


def test_campaign_selects_in_scope_and_holds_out_the_control_group(bank, login):
    scored_bank(bank)
    refusing = Customer.objects.get(customer_no="C1000001")
    refusing.consent_profiling = False
    refusing.save()
    head = login(bank.staff["head_a"])
    form = {
        "name": "七月挽留",
        "branch": "B01",
        "bands": ["high"],
        "min_probability": "0",
        "control_share": "25",
        "seed": "3",
    }
    assert head.post("/retention/campaigns/", {**form, "branch": "B02"}).status_code == 200  # outside B01: invalid
    assert not Campaign.objects.exists()
    response = head.post("/retention/campaigns/", form)
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    members = CampaignMember.objects.filter(campaign=campaign)
    expected = ChurnScore.objects.filter(
        band="high", customer__branch_id__in=["S0101", "S0102"], customer__consent_profiling=True
    )
    assert set(members.values_list("customer_id", flat=True)) == set(expected.values_list("customer_id", flat=True))
    assert members.filter(group="control").count() == round(0.25 * members.count())
    assert login(bank.staff["rm_a"]).post("/retention/campaigns/", form).status_code == 403  # RMs cannot
    assert login(bank.staff["rm_b"]).get(f"/retention/campaigns/{campaign.pk}/").status_code == 404


def test_measure_from_alert_outcomes_then_from_labels(bank, login, monkeypatch):
    scored_bank(bank)
    analyst = login(bank.staff["analyst"])
    form = {
        "name": "全行",
        "branch": "HO",
        "bands": ["high", "medium"],
        "min_probability": "0",
        "control_share": "50",
        "seed": "1",
    }
    analyst.post("/retention/campaigns/", form)
    campaign = Campaign.objects.get()
    treated = list(campaign.members.filter(group="treated").select_related("customer"))
    control = list(campaign.members.filter(group="control").select_related("customer"))

    def raise_unavailable(*args):
        raise LabelsUnavailable("future month-ends not imported")

    monkeypatch.setattr(campaigns, "connect", lambda: None)
    monkeypatch.setattr(campaigns, "churn_labels", raise_unavailable)
    for m, outcome in [(treated[0], "retained"), (control[0], "lost"), (control[1], "lost")]:
        a = Alert.objects.create(customer=m.customer, cause="aum_drop", severity="high", business_date=DAY, due_on=DAY)
        analyst.post(f"/churn/customers/{m.customer_id}/act/", {"alert": a.pk, "outcome": outcome})
    assert analyst.post(f"/retention/campaigns/{campaign.pk}/measure/").status_code == 302
    campaign.refresh_from_db()
    assert campaign.outcome_source == "alerts"
    assert campaign.members.exclude(churned=None).count() == 3  # the others are unknown, not "stayed"

    churned = {m.customer.customer_no for m in control} | {treated[0].customer.customer_no}
    labels = pd.DataFrame({"customer_no": [m.customer.customer_no for m in treated + control]})
    labels["churned"] = labels.customer_no.isin(churned)
    monkeypatch.setattr(campaigns, "churn_labels", lambda *args: type("T", (), {"to_pandas": lambda self: labels})())
    analyst.post(f"/retention/campaigns/{campaign.pk}/measure/")
    page = analyst.get(f"/retention/campaigns/{campaign.pk}/").content.decode()
    result = campaigns.campaign_result(campaign.members.all())
    t, c = result["groups"]["treated"], result["groups"]["control"]
    assert (t["churned"], c["churned"], c["rate"]) == (1, len(control), 1.0)
    assert result["effect"].low > 0 and "活动降低了流失" in page and 'data-testid="campaign-effect"' in page
