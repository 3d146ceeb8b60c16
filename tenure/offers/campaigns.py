"""Offer campaigns with a held-out control group: do offers make customers open the product?

A campaign takes the customers of a branch subtree whose last nightly offers include one product
type (at or above a minimum chance) and who may be proposed a product of that type today
(`suitable`), and splits them at random (`core.experiments.split_groups`: same seed, same set,
same split) into treated — offered it by their RM, who gets a call task naming the product to present
(closed when the campaign is measured) — and a control group left alone. Measured later
from the lake: who opened a product of the type after the scores' date (`recommender.adoptions`);
adoption in the treated group minus adoption in the control group is the effect, with Newcombe's
hybrid score interval (`core.experiments.newcombe_difference`), the statistics the retention
campaigns use.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenure import lake
from tenure.core.audit import audit
from tenure.core.calendar import add_working_days
from tenure.core.experiments import newcombe_difference, split_groups
from tenure.customers.models import Customer, Product
from tenure.engagement.models import Source
from tenure.engagement.tasks import CAMPAIGN_CONTACT_WORKING_DAYS, Draft, tasks_add, tasks_close_at_source
from tenure.ingest.selectors import latest_business_date
from tenure.offers import recommender
from tenure.offers.models import OfferCampaign, OfferCampaignMember
from tenure.offers.scoring import STEP, scored_dates
from tenure.offers.selectors import own_products
from tenure.offers.suitability import customer_facts, suitable
from tenure.org.permissions import Perm, has_perm
from tenure.org.scoping import in_their_rm_book

TREATED, CONTROL = OfferCampaignMember.Group.TREATED, OfferCampaignMember.Group.CONTROL


class CampaignError(ValueError):
    """The campaign cannot be made or measured as asked (one line for the user)."""


def _scored(product_type: str, min_score: float, day: dt.date) -> dict[str, float]:
    """customer number -> chance, of the customers whose offers of `day` include the type."""
    con = lake.duckdb_connect(threads=1)
    try:
        rows = con.execute(
            "SELECT customer_no, score FROM read_parquet(?) WHERE CAST(product_type AS VARCHAR) = ? AND score >= ?",
            [str(lake.output_path(STEP, day)), product_type, min_score],
        ).fetchall()
    finally:
        con.close()
    return {number: float(score) for number, score in rows}


def offer_campaign_create(
    *, by, name: str, branch, product_type: str, min_score: float, control_share: float, seed: int
) -> OfferCampaign:
    """Choose, check and split the members; store campaign and members (one transaction, audited)."""
    if not has_perm(by, Perm.CAMPAIGNS_RUN):
        raise PermissionDenied
    if not 0 < control_share < 1:
        raise CampaignError(_("The control share must lie between 0 and 1."))
    days = scored_dates()
    if not days:
        raise CampaignError(
            _("No offers scored yet: the daily run scores every customer once the recommender is trained.")
        )
    scores = _scored(product_type, min_score, days[-1])
    today = timezone.localdate()
    products = [p for p in own_products(today) if p.product_type == product_type]
    chosen: dict[int, Customer] = {}
    present: dict[int, Product] = {}  # the product the RM presents: the first of the type `suitable` allows
    path = type(branch).objects.values_list("path", flat=True).get(pk=branch.pk)  # the subtree as stored
    customers = Customer.objects.filter(customer_no__in=list(scores), branch__path__startswith=path)
    for customer in customers.filter(consent_profiling=True):
        facts = customer_facts(customer, today)
        allowed = next((p for p in products if suitable(customer, p, today, facts=facts)), None)
        if allowed is not None:  # offered only if it may be
            chosen[customer.pk], present[customer.pk] = customer, allowed
    if not chosen:
        raise CampaignError(_("No scored customer of this branch may be offered this product type."))
    groups = split_groups(list(chosen), control_share, seed)
    with transaction.atomic():
        campaign = OfferCampaign.objects.create(
            name=name,
            branch=branch,
            product_type=product_type,
            min_score=min_score,
            control_share=control_share,
            seed=seed,
            scored_on=days[-1],
            created_by=by,
        )
        OfferCampaignMember.objects.bulk_create(
            [
                OfferCampaignMember(
                    campaign=campaign,
                    customer=chosen[pk],
                    group=group,
                    score=scores[chosen[pk].customer_no],
                )
                for pk, group in groups.items()
            ],
            batch_size=5000,
        )
        audit(
            action="offers.campaign.create",
            actor=by,
            object_type="offer_campaign",
            object_id=campaign.pk,
            detail={"branch": branch.code, "type": product_type, "members": len(groups), "seed": seed},
        )
        treated = {chosen[pk].customer_no: present[pk] for pk, group in groups.items() if group == TREATED}
        offer_campaign_tasks(campaign, treated)
    return campaign


def _task_source_id(campaign: OfferCampaign) -> str:
    return f"campaign:{campaign.pk}"


def offer_campaign_tasks(campaign: OfferCampaign, products: dict[str, Product]) -> int:
    """A call task for each treated member's RM (`products`: customer number -> the product to
    present), due `CAMPAIGN_CONTACT_WORKING_DAYS` working days after the campaign's day, like a
    retention campaign's; the control group gets none (that is the comparison). Keyed by campaign and
    customer: making them again creates nothing. Returns the number created."""
    day = timezone.localtime(campaign.created_at).date()
    due = add_working_days(day, CAMPAIGN_CONTACT_WORKING_DAYS)
    owners = dict(
        Customer.objects.filter(in_their_rm_book(), rm__is_active=True, customer_no__in=list(products))
        .values_list("customer_no", "rm__id")
        .order_by()
    )
    drafts = [
        Draft(
            key=f"offer_campaign:{campaign.pk}:{number}",
            source=Source.OFFER_CAMPAIGN,
            customer_no=number,
            due_on=due,
            params={"campaign": campaign.name, "product": product.name, "code": product.code},
            source_id=_task_source_id(campaign),
            owner_id=owners.get(number),
        )
        for number, product in products.items()
    ]
    return tasks_add(drafts, day)


def offer_campaign_measure(*, campaign: OfferCampaign, by) -> dict:
    """Set each member's `adopted` from the accounts opened after the scores' date up to the latest
    import, and return the result (audited)."""
    if not has_perm(by, Perm.CAMPAIGNS_RUN):
        raise PermissionDenied
    upto = latest_business_date()
    if upto is None or upto <= campaign.scored_on:
        raise CampaignError(_("Nothing imported after the campaign's scores yet: measure after the next import."))
    opened = recommender.adoptions(lake.connect(), campaign.scored_on, upto)
    adopters = set(opened.customer_no[opened.product_type == campaign.product_type])
    members = list(campaign.members.all())
    for m in members:
        m.adopted = m.customer_id in adopters
    with transaction.atomic():
        OfferCampaignMember.objects.bulk_update(members, ["adopted"], batch_size=5000)
        campaign.measured_at, campaign.measured_upto = timezone.now(), upto
        campaign.save(update_fields=["measured_at", "measured_upto"])
        tasks_close_at_source(Source.OFFER_CAMPAIGN, [_task_source_id(campaign)])  # the calls are over
        audit(
            action="offers.campaign.measure",
            actor=by,
            object_type="offer_campaign",
            object_id=campaign.pk,
            detail={"upto": upto.isoformat()},
        )
    return offer_campaign_result(campaign)


def offer_campaign_result(campaign: OfferCampaign) -> dict:
    """Per group: members, measured, adopted, adoption rate; and the effect (treated − control) with
    its 95 % interval (None until both groups are measured)."""
    groups: dict[str, dict] = {}
    counts: dict[str, tuple[int, int]] = {}
    for group in (TREATED, CONTROL):
        rows = campaign.members.filter(group=group)
        known = rows.exclude(adopted=None)
        n, adopted = known.count(), known.filter(adopted=True).count()
        counts[str(group)] = (adopted, n)
        groups[str(group)] = {
            "members": rows.count(),
            "known": n,
            "adopted": adopted,
            "rate": adopted / n if n else None,
        }
    (t_adopted, t_n), (c_adopted, c_n) = counts[TREATED], counts[CONTROL]
    effect = newcombe_difference(t_adopted, t_n, c_adopted, c_n) if t_n and c_n else None
    return {"groups": groups, "effect": effect}
