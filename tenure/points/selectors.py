"""Reading the points ledger: merchants' balances (branch-scoped), monthly statements, totals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from tenure.customers.models import Merchant
from tenure.org.scoping import scoped
from tenure.points.models import PointsAccount, PointsJournal, PointsVolume

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

Kind = PointsJournal.Kind
KINDS = (Kind.EARN, Kind.REVERSE, Kind.REDEEM, Kind.EXPIRE)


def _signed_sum(journals: QuerySet) -> int:
    totals = journals.aggregate(
        plus=Sum("points", filter=Q(kind=Kind.EARN), default=0),
        minus=Sum("points", filter=~Q(kind=Kind.EARN), default=0),
    )
    return totals["plus"] - totals["minus"]


class PointsBalance(TypedDict):
    points_balance: int


# A merchant read through `merchants_for`, annotated with its balance (a plain Merchant at run time).
MerchantWithPoints: TypeAlias = "WithAnnotations[Merchant, PointsBalance]"


def with_points(merchants: QuerySet[Merchant]) -> QuerySet[MerchantWithPoints]:
    """`merchants`, each with `points_balance` (0 before any points)."""
    merchants = merchants.select_related("points_account", "branch")
    return merchants.annotate(points_balance=Coalesce("points_account__balance", 0))


def merchants_for(user) -> QuerySet[MerchantWithPoints]:
    """Merchants of the user's branch subtree, each with `points_balance` (0 before any points)."""
    return with_points(scoped(Merchant.objects.all(), user))


@dataclass(frozen=True)
class OwnedMerchant:
    merchant: Merchant
    balance: int
    earned_this_year: int
    viewable: bool  # in the viewer's points scope: its page may be linked


def merchants_of(customer, user, today: dt.date) -> list[OwnedMerchant]:
    """The merchants the customer owns, with their points (the 360° page's points section).

    The customer is in the viewer's scope already; a merchant acquired by a branch outside it is
    listed with its balance but not linked."""
    owned = Merchant.objects.filter(customer=customer).order_by("merchant_no")
    visible = set(scoped(owned, user).values_list("pk", flat=True))
    earned = dict(
        PointsJournal.objects.filter(merchant__in=owned, kind=Kind.EARN, business_date__year=today.year)
        .values("merchant_id")
        .annotate(total=Sum("points"))
        .values_list("merchant_id", "total")
    )
    balances = dict(PointsAccount.objects.filter(merchant__in=owned).values_list("merchant_id", "balance"))
    return [OwnedMerchant(m, balances.get(m.pk, 0), earned.get(m.pk, 0), m.pk in visible) for m in owned]


@dataclass
class Statement:
    merchant: Merchant
    month: dt.date  # its first day
    opening: int
    closing: int
    totals: dict[str, int]
    volume: Decimal
    capped_count: int
    lines: list[PointsJournal] = field(default_factory=list)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def statement(merchant: Merchant, month: dt.date) -> Statement:
    """The merchant's points for one calendar month: opening and closing balance, each movement."""
    first, following = month_bounds(month)
    journals = PointsJournal.objects.filter(merchant=merchant)
    opening = _signed_sum(journals.filter(business_date__lt=first))
    lines = list(
        journals.filter(business_date__gte=first, business_date__lt=following)
        .select_related("created_by")
        .order_by("business_date", "id")
    )
    totals = {kind.value: sum(j.points for j in lines if j.kind == kind) for kind in KINDS}
    closing = opening + sum(line.signed for line in lines)
    volumes = PointsVolume.objects.filter(merchant=merchant, business_date__gte=first, business_date__lt=following)
    counted = volumes.aggregate(volume=Sum("volume", default=Decimal("0.00")), count=Sum("capped_count", default=0))
    volume = Decimal(counted["volume"]).quantize(Decimal("0.01"))
    return Statement(merchant, first, opening, closing, totals, volume, counted["count"], lines)


def months_with_activity(merchant: Merchant) -> list[dt.date]:
    """First days of the months the merchant had journals or counted volume in, newest first."""
    months = set(
        PointsJournal.objects.filter(merchant=merchant)
        .annotate(m=TruncMonth("business_date"))
        .values_list("m", flat=True)
    ) | set(
        PointsVolume.objects.filter(merchant=merchant)
        .annotate(m=TruncMonth("business_date"))
        .values_list("m", flat=True)
    )
    return sorted(months, reverse=True)


def monthly_totals(merchants: QuerySet[Merchant]) -> list[Mapping[str, Any]]:
    """Points earned, reversed, redeemed and expired per month for these merchants, oldest first."""
    rows = (
        PointsJournal.objects.filter(merchant__in=merchants)
        .annotate(month=TruncMonth("business_date"))
        .values("month")
        .annotate(**{kind.value: Sum("points", filter=Q(kind=kind), default=0) for kind in KINDS})
        .order_by("month")
    )
    return list(rows)
