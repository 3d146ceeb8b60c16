"""Reads for the churn pages: every query goes through `tenure.org.scoping.scoped`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from tenure.churn.models import Alert, ChurnModel, ChurnScore
from tenure.org.models import Role, Staff
from tenure.org.scoping import book_condition, get_scoped_or_404, is_book_owner_default, scoped

ACTIVE = (Alert.Status.OPEN, Alert.Status.ESCALATED)


def alert_queue(*, user, cause: str = "", severity: str = "", status: str = "active", mine: bool = False) -> QuerySet:
    """Alerts `user` may see, highest expected value at risk (probability × contribution) first."""
    qs = scoped(Alert.objects.select_related("customer", "owner", "customer__churn_score"), user)
    if mine:
        qs = qs.filter(Q(owner=user) | Q(branch_head=user))
    if cause:
        qs = qs.filter(cause=cause)
    if severity:
        qs = qs.filter(severity=severity)
    qs = qs.filter(status__in=ACTIVE) if status == "active" else qs.filter(status=status) if status else qs
    return qs.order_by("-value_at_risk", "-probability", "id")


def default_mine(user) -> bool:
    """RMs open the queue on their own alerts; heads and head office on their whole scope."""
    return is_book_owner_default(user)


def alert_get(*, user, customer_id: int, alert_id: int) -> Alert:
    """One alert of a customer in scope; out of scope and missing are the same 404."""
    return get_scoped_or_404(Alert.objects.select_related("customer"), user, pk=alert_id, customer_id=customer_id)


def customer_alerts(*, user, customer) -> tuple[ChurnScore | None, list[Alert]]:
    """The score and active alerts of one customer (already scoped by the caller's customer_get).

    No score for a customer who refused profiling, even before the nightly run removes the row.
    """
    score = scoped(ChurnScore.objects.filter(customer=customer, customer__consent_profiling=True), user).first()
    alerts = list(scoped(Alert.objects.filter(customer=customer, status__in=ACTIVE), user))
    return score, alerts


def at_risk(*, user, mine: bool, bands: tuple[str, ...] = ("high", "medium")) -> QuerySet:
    """Scored customers in the risk bands that `user` may see (their own book when `mine`), riskiest first."""
    qs = scoped(ChurnScore.objects.select_related("customer"), user).filter(
        band__in=bands, customer__consent_profiling=True
    )
    if mine:
        qs = qs.filter(book_condition(user, via="customer__"))
    return qs.order_by("-probability", "customer_id")


def scores(*, user) -> QuerySet:
    """Every score `user` may see (customers who refused profiling never appear)."""
    return scoped(ChurnScore.objects.select_related("customer"), user).filter(customer__consent_profiling=True)


def model_report() -> ChurnModel | None:
    """The latest model and its stored metrics (no customer data)."""
    return ChurnModel.objects.order_by("-version").first()


def model_trained() -> bool:
    """Whether a churn model exists; until `tenure churn train` succeeds only rule alerts are raised."""
    return ChurnModel.objects.exists()


def scored_with_latest_model(day: dt.date) -> bool:
    """Whether `day` already has scores from the latest model (no customer data: the daily run skips)."""
    version = ChurnModel.objects.order_by("-version").values_list("version", flat=True).first()
    return version is not None and ChurnScore.objects.filter(business_date=day, model_version=version).exists()


def assignable_rms(user) -> QuerySet:
    """Active RMs of the user's branch subtree, the people an alert can be handed to."""
    return scoped(Staff.objects.filter(is_active=True, groups__name=Role.RM), user).order_by("employee_no")
