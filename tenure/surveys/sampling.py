"""Who a wave may invite: the sample rule, consent for the channel, and the frequency cap.

The rule narrows the acting staff member's scoped customers by branch subtree, asset tier and a
recent touchpoint (a transaction in that channel within `touchpoint_days`, read from the lake);
customers without consent for the wave's channel, or invited to any survey within
`frequency_cap_days`, are never eligible. A random sample of `size` is drawn with `seed` from the
eligible customers sorted by customer number, so the same rule on the same data draws the same
customers.

A staff survey's wave invites, instead, every active member of staff of the issuer's scope that its
`StaffRule` names (branches with their subtrees, roles): no sample, no consent or cap (staff are
asked at work), one invitation each.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import asdict, dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from tenure.customers.models import Account
from tenure.ingest.schema import CHANNELS
from tenure.org.models import Branch, Staff
from tenure.org.scoping import scoped
from tenure.surveys.models import CONSENT_FIELD, Channel, Invitation


@dataclass
class SampleRule:
    branches: list[str] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)
    touchpoint: str = ""
    touchpoint_days: int = 90
    size: int = 0  # 0: every eligible customer
    seed: int = 0

    @classmethod
    def from_dict(cls, data: dict) -> SampleRule:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Candidate:
    customer_id: int
    customer_no: str
    branch_code: str
    asset_tier: str
    touchpoint: str


def _recent_channel_customers(channel: str, days: int, as_of: dt.date) -> set[str]:
    """Customer numbers with a transaction in `channel` within (as_of - days, as_of] (lake)."""
    from tenure.analytics.engine import lake_table
    from tenure.lake import connect

    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    con = connect()
    txns = lake_table(con, "transactions", ("account_id", "channel"), after=as_of - dt.timedelta(days=days), upto=as_of)
    accounts = txns.filter(txns.channel == channel).select("account_id").distinct().to_pandas()
    ids = accounts["account_id"].tolist()
    found: set[str] = set()
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        # customer__customer_no is the key's own column (to_field): no join, and typed as the str it is.
        found.update(Account.objects.filter(account_id__in=chunk).values_list("customer__customer_no", flat=True))
    return found


def eligible(
    rule: SampleRule, *, customers: QuerySet, channel: str, cap_days: int, as_of: dt.datetime | None = None
) -> list[Candidate]:
    """Every customer of `customers` (the acting staff member's scope) the rule, consent and
    frequency cap allow, sorted by customer number."""
    as_of = as_of or timezone.now()
    customers = customers.filter(**{CONSENT_FIELD[Channel(channel)]: True})
    if channel == Channel.SMS:
        customers = customers.exclude(mobile_bidx="")
    elif channel == Channel.EMAIL:
        customers = customers.exclude(email="")
    if rule.branches:
        paths = Branch.objects.filter(code__in=rule.branches).values_list("path", flat=True)
        subtree = Q()
        for path in paths:
            subtree |= Q(branch__path__startswith=path)
        customers = customers.filter(subtree) if paths else customers.none()
    if rule.tiers:
        customers = customers.filter(value__asset_tier__in=rule.tiers)
    if cap_days:
        recent = Invitation.objects.filter(created_at__gt=as_of - dt.timedelta(days=cap_days), created_at__lte=as_of)
        customers = customers.exclude(pk__in=recent.values("customer_id"))
    rows = list(customers.order_by("customer_no").values_list("pk", "customer_no", "branch_id", "value__asset_tier"))
    if rule.touchpoint:
        recent_users = _recent_channel_customers(rule.touchpoint, rule.touchpoint_days, timezone.localdate(as_of))
        rows = [r for r in rows if r[1] in recent_users]
    return [Candidate(pk, no, branch, tier or "", rule.touchpoint) for pk, no, branch, tier in rows]


def draw(rule: SampleRule, candidates: list[Candidate]) -> list[Candidate]:
    """The reproducible random sample of `rule.size` (all when size is 0 or larger than the pool)."""
    if not rule.size or rule.size >= len(candidates):
        return list(candidates)
    chosen = random.Random(rule.seed).sample(range(len(candidates)), rule.size)
    return [candidates[i] for i in sorted(chosen)]


@dataclass
class StaffRule:
    """Who a staff wave invites: active staff of these branches (each with its subtree; none: every
    branch in the issuer's scope) holding any of these roles (none: every role)."""

    branches: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def staff_for_rule(rule: StaffRule, by) -> QuerySet:
    """The active staff `rule` names within `by`'s scope (their home branch in it), by branch and name."""
    staff = scoped(Staff.objects.filter(is_active=True, home_branch__isnull=False), by)
    if rule.branches:
        subtree = Q()
        for path in Branch.objects.filter(code__in=rule.branches).values_list("path", flat=True):
            subtree |= Q(home_branch__path__startswith=path)
        staff = staff.filter(subtree) if subtree else staff.none()
    if rule.roles:
        staff = staff.filter(pk__in=Staff.objects.filter(groups__name__in=rule.roles).values("pk"))
    return staff.order_by("home_branch__path", "full_name", "username")
