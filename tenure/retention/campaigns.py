"""Retention campaigns with a held-out control group: does retention work? (MISSION S13)

A campaign takes the scored at-risk customers of a branch subtree (risk bands and a minimum
probability), shuffles them with a seeded generator and holds out `control_share` as the control
group, whom the campaign leaves alone. Same seed and same selection give the same split. Once
outcomes are known, churn in the control group minus churn in the treated group is the effect,
with Newcombe's hybrid score interval (`core.experiments.newcombe_difference`).

Outcomes come from the churn label of the campaign's business date (known once the horizon's
month-ends are imported); before that, from alert outcomes recorded since the campaign started
("lost" = churned, "retained" = stayed, otherwise unknown and left out).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tenure.churn.config import churn_config
from tenure.churn.labels import LabelsUnavailable, churn_labels
from tenure.churn.models import Alert, ChurnScore
from tenure.core.audit import audit
from tenure.core.experiments import newcombe_difference, split_groups
from tenure.lake import connect
from tenure.retention.models import Campaign, CampaignMember

TREATED, CONTROL = CampaignMember.Group.TREATED, CampaignMember.Group.CONTROL


def at_risk_scores(*, branch, bands: list[str], min_probability: float):
    """Scores of consenting customers in `branch`'s subtree, in the bands and at or above the probability."""
    qs = ChurnScore.objects.filter(
        customer__branch__path__startswith=branch.path,
        customer__consent_profiling=True,
        probability__gte=min_probability,
    )
    return qs.filter(band__in=bands) if bands else qs


def campaign_create(
    *, by, name: str, branch, bands: list[str], min_probability: float, control_share: float, seed: int
) -> Campaign:
    """Select the at-risk customers, split them, store campaign and members (one transaction, audited)."""
    scores = at_risk_scores(branch=branch, bands=bands, min_probability=min_probability)
    day = scores.aggregate(day=Max("business_date"))["day"]
    if day is None:
        raise ValueError("no scored customer matches: run `tenure churn score` or widen the selection")
    chosen = dict(scores.values_list("customer_id", "probability"))
    groups = split_groups(list(chosen), control_share, seed)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            branch=branch,
            bands=bands,
            min_probability=min_probability,
            control_share=control_share,
            seed=seed,
            business_date=day,
            created_by=by,
        )
        CampaignMember.objects.bulk_create(
            [
                CampaignMember(campaign=campaign, customer_id=c, group=g, probability=chosen[c])
                for c, g in groups.items()
            ],
            batch_size=5000,
        )
        audit(
            action="retention.campaign.create",
            actor=by,
            object_type="campaign",
            object_id=campaign.pk,
            detail={"branch": branch.code, "members": len(groups), "control_share": control_share, "seed": seed},
        )
    return campaign


def _alert_outcomes(campaign: Campaign) -> dict[int, bool]:
    """customer id -> churned, from alert outcomes recorded since the campaign started (lost / retained only)."""
    acted = Alert.objects.filter(
        customer_id__in=campaign.members.values("customer_id"),
        acted_at__gte=campaign.created_at,
        outcome__in=(Alert.Outcome.LOST, Alert.Outcome.RETAINED),
    ).order_by("acted_at")
    return {c: outcome == Alert.Outcome.LOST for c, outcome in acted.values_list("customer_id", "outcome")}


def campaign_measure(*, campaign: Campaign, by) -> str:
    """Set each member's `churned` from the labels (or alert outcomes before they exist); returns the source."""
    members = list(campaign.members.select_related("customer"))
    try:
        labels = churn_labels(connect(), campaign.business_date, churn_config()["label"]).to_pandas()
        churned = dict(zip(labels.customer_no, labels.churned.astype(bool), strict=True))
        for m in members:
            m.churned = churned.get(m.customer.customer_no)
        source = Campaign.Source.LABELS
    except LabelsUnavailable:
        outcomes = _alert_outcomes(campaign)
        for m in members:
            m.churned = outcomes.get(m.customer_id)
        source = Campaign.Source.ALERTS
    with transaction.atomic():
        CampaignMember.objects.bulk_update(members, ["churned"], batch_size=5000)
        campaign.measured_at, campaign.outcome_source = timezone.now(), source
        campaign.save(update_fields=["measured_at", "outcome_source"])
        audit(
            action="retention.campaign.measure",
            actor=by,
            object_type="campaign",
            object_id=campaign.pk,
            detail={"source": source},
        )
    return source


def campaign_result(members) -> dict:
    """Per group: members, with a known outcome, churned, churn rate; and the effect (control - treated)."""
    groups = {}
    for group in (TREATED, CONTROL):
        rows = members.filter(group=group)
        known = rows.exclude(churned=None)
        churned = known.filter(churned=True).count()
        n = known.count()
        groups[group] = {"members": rows.count(), "known": n, "churned": churned, "rate": churned / n if n else None}
    t, c = groups[TREATED], groups[CONTROL]
    effect = (
        newcombe_difference(c["churned"], c["known"], t["churned"], t["known"]) if t["known"] and c["known"] else None
    )
    return {"groups": groups, "effect": effect}
