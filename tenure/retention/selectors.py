"""Reads for the retention pages; every customer-related query goes through `tenure.org.scoping.scoped`."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import Prefetch, QuerySet

from tenure.customers.models import OWN_BANK, Product
from tenure.org.scoping import get_scoped_or_404, scoped
from tenure.retention.interviews import REASONS
from tenure.retention.models import (
    Campaign,
    Handoff,
    Intercept,
    LostInterview,
    LotteryDraw,
    LotteryEntry,
    LotteryWinner,
    Proposal,
)

MIN_INTERVIEWS = 5  # fewer interviews in a branch say nothing about it: the feature stays missing
LOOKBACK_DAYS = 365


def scoped_get(model, *, user, pk: int, customer_id: int | None = None):
    """One record in scope (optionally of this customer); out of scope and missing are the same 404
    (the former audited)."""
    if customer_id is None:
        return get_scoped_or_404(model.objects.all(), user, pk=pk)
    return get_scoped_or_404(model.objects.all(), user, pk=pk, customer_id=customer_id)


def competitor_products() -> QuerySet:
    return Product.objects.exclude(issuer=OWN_BANK).order_by("issuer", "product_type", "code")


def handoffs(*, user, mine: bool) -> QuerySet:
    qs = scoped(Handoff.objects.select_related("customer", "from_staff", "to_staff"), user)
    return qs.filter(to_staff=user) if mine else qs


def intercepts(*, user) -> QuerySet:
    qs = scoped(Intercept.objects.select_related("customer", "recorded_by"), user)
    return qs.prefetch_related("steps__done_by").order_by("retained_amount", "appointment_on", "id")


def proposals(*, user, status: str = "") -> QuerySet:
    qs = scoped(Proposal.objects.select_related("customer", "proposed_by", "decided_by"), user)
    return qs.filter(status=status) if status else qs


def interviews(*, user) -> QuerySet:
    return scoped(LostInterview.objects.select_related("customer", "recorded_by"), user)


def lottery_entries(*, user, status: str = "") -> QuerySet:
    qs = scoped(LotteryEntry.objects.select_related("customer"), user)
    return qs.filter(status=status) if status else qs


def lottery_draws(*, user) -> QuerySet:
    """The draws of the caller's scope (a branch head: those of their subtree), newest month first,
    with their winners in the order drawn."""
    winners = LotteryWinner.objects.select_related("entry__customer").order_by("rank")
    return scoped(LotteryDraw.objects.select_related("branch", "drawn_by"), user).prefetch_related(
        Prefetch("winners", queryset=winners)
    )


def campaign_rows() -> QuerySet:
    """Every campaign, unscoped: scope it (`campaigns`, `get_scoped_or_404`) before showing it."""
    return Campaign.objects.select_related("branch", "created_by")


def campaigns(*, user) -> QuerySet:
    return scoped(campaign_rows(), user)


def lost_reason_shares(*, before: dt.date) -> pd.DataFrame:
    """Per branch code: share of its lost-customer interviews (in the year up to `before`) citing a
    service reason and a price reason. Branches with fewer than MIN_INTERVIEWS are left out.

    Read by the churn dataset builder (no user: a model feature, aggregated, no customer data).
    """
    start = before - dt.timedelta(days=LOOKBACK_DAYS)
    rows = LostInterview.objects.filter(created_at__date__gt=start, created_at__date__lte=before)
    frame = pd.DataFrame(list(rows.values_list("branch_code", "reasons")), columns=["branch_code", "reasons"])
    columns = ["branch_lost_service_share", "branch_lost_price_share"]
    if frame.empty:
        return pd.DataFrame(columns=columns, dtype="float64")
    for group, column in zip(("service", "price"), columns, strict=True):
        codes = {c for c, (_, g) in REASONS.items() if g == group}
        frame[column] = frame.reasons.map(lambda r, codes=codes: bool(codes.intersection(r))).astype("float64")
    grouped = frame.groupby("branch_code")
    shares = grouped[columns].mean()
    return shares[grouped.size() >= MIN_INTERVIEWS]
