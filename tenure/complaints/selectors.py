"""Reads of complaints: every query goes through `tenure.org.scoping.scoped`; out of scope is a 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from django.db.models import Case, Count, DateTimeField, F, Max, QuerySet, Value, When
from django.utils import timezone

from tenure.complaints.models import OPEN_STATUSES, Complaint, Status
from tenure.complaints.sla import END_OF_DAY
from tenure.org.scoping import get_scoped_or_404, scoped

STATUS_OPEN = "open"
# The `due` filter: past the deadline worked to now, or reaching it before the end of today.
DUE_OVERDUE, DUE_TODAY = "overdue", "today"
RECENT_LATE_DAYS = 90
SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}


@dataclass(frozen=True)
class QueueFilters:
    status: str = STATUS_OPEN
    severity: str = ""
    branch: str = ""
    cause: str = ""
    channel: str = ""
    due: str = ""


def with_next_due(queryset: QuerySet) -> QuerySet:
    """Annotate `next_due`: the acknowledgement deadline while received, the resolution one while open."""
    return queryset.annotate(
        next_due=Case(
            When(status=Status.RECEIVED, ack_due_at__lt=F("resolve_due_at"), then=F("ack_due_at")),
            When(status__in=OPEN_STATUSES, then=F("resolve_due_at")),
            default=Value(None),
            output_field=DateTimeField(),
        )
    )


def _complaints() -> QuerySet:
    return Complaint.objects.select_related("customer", "branch", "root_cause", "owner")


def complaints_version() -> tuple:
    """Changes whenever a complaint is filed, moves on or is linked: the part of a cached figure's key
    (`analytics.cache.cached`) that imports do not change."""
    row = Complaint.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return row["n"], row["at"]


def complaint_list(*, user) -> QuerySet:
    """Every complaint `user` may see."""
    return scoped(_complaints(), user)


def complaint_queue(*, user, filters: QueueFilters) -> QuerySet:
    """The work queue: least time left first (overdue at the top), finished complaints last, newest first."""
    qs = complaint_list(user=user)
    if filters.status == STATUS_OPEN:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    for name, lookup in (
        ("severity", "severity"),
        ("branch", "branch_id"),
        ("cause", "root_cause__code"),
        ("channel", "channel"),
    ):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{lookup: value})
    qs = _due(with_next_due(qs), filters.due)
    return qs.order_by(F("next_due").asc(nulls_last=True), "-received_at", "-id")


def _due(queryset: QuerySet, due: str) -> QuerySet:
    """Complaints past their next deadline (SLA in working days, `sla.py`) or reaching it today."""
    now = timezone.now()
    if due == DUE_OVERDUE:
        return queryset.filter(next_due__lt=now)
    if due == DUE_TODAY:
        end_of_today = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), END_OF_DAY))
        return queryset.filter(next_due__gte=now, next_due__lte=end_of_today)
    return queryset


def complaint_get(*, user, complaint_id: int, ip: str | None = None) -> Complaint:
    """One complaint, or 404 when missing *or* out of scope (the refusal is audited, never shown)."""
    return get_scoped_or_404(with_next_due(_complaints()), user, ip=ip, pk=complaint_id)


def customer_complaints(*, user, customer) -> list[Complaint]:
    """The customer's complaints, newest first (for the 360° page)."""
    return list(complaint_list(user=user).filter(customer=customer).order_by("-received_at", "-id"))


def complaints_for_signals(day: dt.date, customer_nos: list[str] | None = None) -> pd.DataFrame:
    """Per customer with a complaint that matters for churn at `day` (bank-wide, for the nightly).

    Columns: customer_id, customer_no, open_complaints (received by `day`, not resolved by its end),
    max_open_severity (0 none … 4 critical), resolved_late_recent (resolved after the deadline within
    the `RECENT_LATE_DAYS` days before `day`), last_received_on. Customers with neither are left out;
    `customer_nos` narrows it to a few customers (a page's churn reasons).
    """
    end = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
    since = end - dt.timedelta(days=RECENT_LATE_DAYS)
    rows = Complaint.objects.filter(customer__isnull=False, received_at__lte=end).values_list(
        "customer_id", "customer__customer_no", "severity", "received_at", "resolved_at", "resolve_due_at"
    )
    if customer_nos is not None:
        rows = rows.filter(customer__customer_no__in=customer_nos)
    columns = [
        "customer_id",
        "customer_no",
        "open_complaints",
        "max_open_severity",
        "resolved_late_recent",
        "last_received_on",
    ]
    frame = pd.DataFrame(list(rows), columns=["customer_id", "customer_no", "severity", "received", "resolved", "due"])
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    resolved = pd.to_datetime(frame.resolved, utc=True)
    is_open = resolved.isna() | (resolved > end)
    late = ~is_open & (resolved > pd.to_datetime(frame.due, utc=True)) & (resolved >= since)
    frame = frame.assign(
        open=is_open.astype(int),
        sev=frame.severity.map(SEVERITY_RANK).where(is_open, 0),
        late=late,
        received_on=pd.to_datetime(frame.received, utc=True).dt.tz_convert(timezone.get_current_timezone()).dt.date,
    )
    out = frame.groupby(["customer_id", "customer_no"], as_index=False).agg(
        open_complaints=("open", "sum"),
        max_open_severity=("sev", "max"),
        resolved_late_recent=("late", "any"),
        last_received_on=("received_on", "max"),
    )
    out = out[(out.open_complaints > 0) | out.resolved_late_recent]
    return out[columns].sort_values("customer_id").reset_index(drop=True)
