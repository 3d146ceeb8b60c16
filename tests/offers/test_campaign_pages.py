"""Offer campaign pages and the treated group's call tasks: branch heads and head office start and
measure (audited), branch heads and RMs see their scope only, the detail page shows treated against
control with the uplift's interval; each treated member's RM gets one call task naming the product
(the control group none, made once), closed when the campaign is measured."""

import datetime as dt

from django.utils import timezone

from tenure.core.models import AuditEntry
from tenure.customers.models import Product
from tenure.engagement.display import task_summary
from tenure.engagement.models import Source, Task, TaskStatus
from tenure.offers.campaigns import offer_campaign_create, offer_campaign_measure, offer_campaign_tasks
from tenure.offers.models import OfferCampaign
from tests.analytics.bank import write_table
from tests.factories import make_customer
from tests.offers.helpers import assessed, product
from tests.offers.test_book import _scores

FORM = {"name": "理财季", "branch": "B01", "product_type": "wealth", "min_score": "10", "control_share": "25"}


def _members(bank, n: int = 40) -> list[str]:
    """n scored customers of S0101 in rm_a's book who may be offered the wealth product W-R2."""
    today = timezone.localdate()
    product("W-R2", risk="R2")
    numbers = [f"C9{i:05d}" for i in range(n)]
    for number in numbers:
        assessed(make_customer(bank, number, f"客户{number[-2:]}", "S0101", rm="E101"), "C3", on=today)
    assessed(bank.customers["zhao"], "C3", on=today)
    _scores(bank, {number: [("wealth", 0.3)] for number in numbers} | {"zhao": [("wealth", 0.9)]})
    return numbers


def _adopt(numbers: list[str]) -> None:
    """A later month-end in the lake where `numbers` opened the wealth product."""
    later = dt.date(2026, 2, 28)
    write_table(
        "products", later, [{"product_code": "W-R2", "product_type": "wealth", "risk_rating": "R2", "issuer": "BANK"}]
    )
    rows = [
        {"account_id": f"N{i}", "customer_no": n, "product_code": "W-R2", "opened_on": later, "status": "active"}
        for i, n in enumerate(numbers)
    ]
    write_table("accounts", later, rows)


def _create(bank) -> OfferCampaign:
    return offer_campaign_create(
        by=bank.staff["head_a"],
        name="理财季",
        branch=bank.branches["B01"],
        product_type="wealth",
        min_score=0.1,
        control_share=0.25,
        seed=3,
    )


def test_treated_members_get_one_call_task_each_closed_when_measured(bank, english):
    numbers = _members(bank)
    campaign = _create(bank)
    treated = set(campaign.members.filter(group="treated").values_list("customer_id", flat=True))
    tasks = Task.objects.filter(source=Source.OFFER_CAMPAIGN, source_id=f"campaign:{campaign.pk}")
    assert len(treated) == 30 and set(tasks.values_list("customer_id", flat=True)) == treated  # control: none
    task = tasks.first()
    assert task.owner == bank.staff["rm_a"] and task.status == TaskStatus.OPEN  # the customer's RM
    assert task.due_on > timezone.localdate()
    # The product to present: the first wealth product of ours `suitable` allows.
    assert task_summary(task) == "Offer campaign “理财季”: present “稳健理财”"
    w = Product.objects.get(name="稳健理财")
    assert offer_campaign_tasks(campaign, dict.fromkeys(treated, w)) == 0  # made again: nothing new
    assert tasks.count() == 30

    _adopt(numbers[:5])
    offer_campaign_measure(campaign=campaign, by=bank.staff["head_a"])
    assert tasks.filter(status=TaskStatus.CLOSED_AT_SOURCE).count() == 30
    assert not Task.objects.filter(source=Source.OFFER_CAMPAIGN, status=TaskStatus.OPEN).exists()


def test_branch_head_starts_a_campaign_from_the_page_and_measures_it(bank, login, english):
    numbers = _members(bank)
    client = login(bank.staff["head_a"])
    page = client.get("/offers/campaigns/").content.decode()
    assert 'data-testid="offer-campaigns-empty"' in page and 'data-testid="offer-campaign-form"' in page
    assert "data-confirm" in page
    response = client.post("/offers/campaigns/", FORM)
    campaign = OfferCampaign.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/offers/campaigns/{campaign.pk}/"
    assert AuditEntry.objects.filter(action="offers.campaign.create", actor=bank.staff["head_a"]).exists()
    detail = client.get(response["Location"]).content.decode()
    assert 'data-testid="offer-campaign-unmeasured"' in detail and detail.count("客户") == 40

    failed = client.post(f"/offers/campaigns/{campaign.pk}/measure/", follow=True).content.decode()
    assert "Nothing imported after" in failed  # told why, nothing measured
    _adopt(numbers[:12])
    client.post(f"/offers/campaigns/{campaign.pk}/measure/")
    detail = client.get(f"/offers/campaigns/{campaign.pk}/").content.decode()
    assert 'data-testid="offer-campaign-result"' in detail and 'data-testid="offer-campaign-chart"' in detail
    assert 'id="uplift-data"' in detail and "percentage points" in detail
    assert AuditEntry.objects.filter(action="offers.campaign.measure").exists()
    listed = client.get("/offers/campaigns/?sort=name").content.decode()
    assert listed.count('data-testid="offer-campaign-row"') == 1 and "40 (30)" in listed


def test_no_scores_is_said_on_the_form(bank, login, english):
    response = login(bank.staff["head_a"]).post("/offers/campaigns/", FORM)
    assert response.status_code == 400 and "No offers scored yet" in response.content.decode()
    assert not OfferCampaign.objects.exists()


def test_scope_rms_view_their_branch_only_and_others_get_404(bank, login, english):
    _members(bank)
    campaign = _create(bank)  # Beijing branch B01
    local = offer_campaign_create(
        by=bank.staff["head_a"],
        name="朝阳理财",
        branch=bank.branches["S0101"],
        product_type="wealth",
        min_score=0.1,
        control_share=0.5,
        seed=4,
    )
    rm = login(bank.staff["rm_a"])  # sub-branch S0101: sees its campaigns, runs none
    page = rm.get("/offers/campaigns/").content.decode()
    assert "朝阳理财" in page and "理财季" not in page and 'data-testid="offer-campaign-form"' not in page
    assert rm.post("/offers/campaigns/", FORM).status_code == 403
    assert rm.post(f"/offers/campaigns/{local.pk}/measure/").status_code == 403
    assert 'data-testid="offer-campaign-measure"' not in rm.get(f"/offers/campaigns/{local.pk}/").content.decode()
    assert rm.get(f"/offers/campaigns/{campaign.pk}/").status_code == 404  # the parent branch's
    other = login(bank.staff["rm_b"])  # Shanghai
    assert "理财" not in other.get("/offers/campaigns/").content.decode()
    assert other.get(f"/offers/campaigns/{local.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="access.denied", object_id=str(local.pk)).exists()
    analyst = login(bank.staff["analyst"]).get("/offers/campaigns/").content.decode()
    assert "理财季" in analyst and "朝阳理财" in analyst and 'data-testid="offer-campaign-form"' in analyst
