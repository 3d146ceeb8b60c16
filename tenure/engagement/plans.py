"""The contact plan: how often each asset tier and pyramid layer is contacted, and by what (docs/workbench.md).

Rules are versioned like the tier rules (saving creates the next version, audited). For each tier
and each value level, an interval in days per kind of contact: `visit` and `call` are RM work (they
become tasks), `message` is a digital contact (counted in the plan, sent by the communications
outbox, never an RM task: small customers get the cheaper channels). A customer's plan is the
union of their tier's and their level's rows, the shorter interval winning per kind.

A contact is due `interval` days after the last contact of its kind (a visit also counts as a
call). A customer never contacted has one due day in each cycle of `interval` days (cycles counted
from a fixed Monday), spread by customer number, so a new plan does not put every contact on its
first day; they count as not covered until the contact happens (coverage is honest about the start).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from tenure.analytics.models import AssetTier, ValueLevel
from tenure.contacts.models import Interaction
from tenure.core.audit import audit
from tenure.engagement.models import ContactPlanRules

RM_KINDS = ("visit", "call")
KINDS = (*RM_KINDS, "message")
# Interaction channels that count as a contact of each kind.
CHANNELS_OF_KIND = {
    "visit": ("visit",),
    "call": ("phone", "video", "visit"),
    "message": ("message",),
}
DAYS_PER_MONTH = 30.4

DEFAULT_RULES: dict[str, Any] = {
    "tiers": {
        "diamond": {"visit": 30, "call": 14},
        "black_gold": {"visit": 90, "call": 30},
        "platinum": {"call": 60},
        "gold": {"call": 90, "message": 60},
        "standard": {"message": 90},
    },
    "levels": {
        "key": {"visit": 30, "call": 14},
        "important": {"call": 45},
        "ordinary": {},
        "small": {"message": 90},
    },
    # Saving a plan that gives any RM more planned visits and calls a month than this needs a confirmation.
    "max_rm_contacts_per_month": 120,
}


class PlanError(ValueError):
    """Rules that cannot be used, naming the field."""


@dataclass(frozen=True)
class Plan:
    version: int
    rules: dict[str, Any]

    def intervals(self, tier: str, level: str) -> dict[str, int]:
        """Days between contacts per kind for a customer of `tier` and `level` (shorter wins)."""
        merged: dict[str, int] = dict(self.rules["tiers"].get(tier, {}))
        for kind, days in self.rules["levels"].get(level, {}).items():
            merged[kind] = min(days, merged.get(kind, days))
        return merged


def validate_rules(rules: Any) -> dict[str, Any]:
    """Return `rules` if usable, else raise PlanError naming the field."""
    if not isinstance(rules, dict):
        raise PlanError("the plan must be an object")
    for group, codes in (("tiers", AssetTier.values), ("levels", ValueLevel.values)):
        rows = rules.get(group)
        if not isinstance(rows, dict) or set(rows) != set(codes):
            raise PlanError(f"{group}: one row for each of {', '.join(codes)}")
        for code, row in rows.items():
            if not isinstance(row, dict):
                raise PlanError(f"{group}.{code}: an object of kind → days")
            for kind, days in row.items():
                if kind not in KINDS:
                    raise PlanError(f"{group}.{code}.{kind}: not a kind of contact ({', '.join(KINDS)})")
                if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 366:
                    raise PlanError(f"{group}.{code}.{kind}: whole days from 1 to 366")
    limit = rules.get("max_rm_contacts_per_month")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise PlanError("max_rm_contacts_per_month: a whole number of at least 1")
    return rules


def active_plan() -> Plan:
    """The latest version; version 1 (the defaults) is created on first use."""
    row = ContactPlanRules.objects.order_by("-version").first()
    if row is None:
        row, _ = ContactPlanRules.objects.get_or_create(version=1, defaults={"rules": copy.deepcopy(DEFAULT_RULES)})
    return Plan(version=row.version, rules=row.rules)


def plan_history() -> QuerySet[ContactPlanRules]:
    active_plan()
    return ContactPlanRules.objects.select_related("created_by").order_by("-version")


@transaction.atomic
def plan_save(*, by, rules: dict[str, Any], note: str) -> Plan:
    """Store `rules` as the next version, audited; tasks follow it from the next `tenure daily`."""
    validate_rules(rules)
    current = active_plan()
    row = ContactPlanRules.objects.create(version=current.version + 1, rules=rules, note=note, created_by=by)
    audit(
        action="contact_plan.save",
        actor=by,
        object_type="ContactPlanRules",
        object_id=row.version,
        detail={"note": note},
    )
    return Plan(version=row.version, rules=row.rules)


CYCLE_EPOCH = dt.date(2000, 1, 3)  # a Monday


def first_due(customer_no: str, interval: int, day: dt.date) -> dt.date:
    """A never-contacted customer's due day: the customer's own day of the `interval`-day cycle
    (spread by customer number) on or after `day`. Never in the past, so a new plan or a first run
    spreads its first contacts over the coming cycle instead of making them overdue at once."""
    cycle_start = day - dt.timedelta(days=(day - CYCLE_EPOCH).days % interval)
    offset = int.from_bytes(hashlib.sha256(customer_no.encode()).digest()[:4], "big") % interval
    due = cycle_start + dt.timedelta(days=offset)
    return due if due >= day else due + dt.timedelta(days=interval)


def contacts_mark() -> int | None:
    """The latest contact logged: coverage computed before it may be stale (a cache key's part)."""
    return Interaction.objects.aggregate(last=Max("id"))["last"]


def last_contacts(
    customer_nos: list[str] | None = None, *, upto: dt.date | None = None
) -> dict[tuple[str, str], dt.date]:
    """(customer number, kind) → the day (bank's time zone) of the last contact of that kind, counting
    contacts made on or before `upto` when given (a month-end's coverage ignores later contacts)."""
    rows = Interaction.objects.order_by()
    if customer_nos is not None:
        rows = rows.filter(customer__customer_no__in=customer_nos)
    if upto is not None:
        rows = rows.filter(created_at__date__lte=upto)
    last: dict[tuple[str, str], dt.date] = {}
    grouped = rows.values_list("customer__customer_no", "channel").annotate(at=Max("created_at"))
    for number, channel, at in grouped.iterator(chunk_size=20000):
        day = timezone.localdate(at)
        for kind, channels in CHANNELS_OF_KIND.items():
            if channel in channels and day > last.get((number, kind), dt.date.min):
                last[(number, kind)] = day
    return last


@dataclass(frozen=True)
class Due:
    customer_no: str
    kind: str
    due_on: dt.date
    covered: bool  # contacted within the interval as at the day asked


def due_contacts(
    rows: Iterable[tuple[Any, str, str]], plan: Plan, day: dt.date, last: dict[tuple[str, str], dt.date]
) -> Iterator[Due]:
    """The planned contacts of customers given as (number, tier, level), as at `day` (the number is
    typed Any: Django's stubs call a to_field key an int)."""
    for number, tier, level in rows:
        for kind, interval in plan.intervals(tier, level).items():
            previous = last.get((number, kind))
            if previous is None:
                due = first_due(number, interval, day)
                covered = False
            else:
                due = previous + dt.timedelta(days=interval)
                covered = due > day
            yield Due(number, kind, due, covered)


def workload(rules: dict[str, Any], customers: QuerySet) -> dict[str, Any]:
    """Planned contacts per month under `rules`: per RM (visits + calls) and in total per kind.

    Reads only counts of customers per (RM, tier, level), so it answers at once for the whole bank."""
    plan = Plan(version=0, rules=rules)
    groups = (
        customers.exclude(value=None)
        .values_list("rm_id", "value__asset_tier", "value__value_level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_rm: dict[str | None, float] = defaultdict(float)
    per_kind: dict[str, float] = defaultdict(float)
    for rm, tier, level, n in groups:
        for kind, interval in plan.intervals(tier, level).items():
            monthly = n * DAYS_PER_MONTH / interval
            per_kind[kind] += monthly
            if kind in RM_KINDS:
                per_rm[rm] += monthly
    limit = rules["max_rm_contacts_per_month"]
    return {
        "per_rm": {rm: round(v, 1) for rm, v in per_rm.items()},
        "per_kind": {kind: round(per_kind.get(kind, 0.0), 1) for kind in KINDS},
        "over_limit": sorted(rm for rm, v in per_rm.items() if rm is not None and v > limit),
        "limit": limit,
    }
