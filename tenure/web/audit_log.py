"""Reading the audit log: filters and CSV/XLSX export for compliance. There is no write path here.

Entries are append-only at the model level (`AuditEntry.save/delete` refuse changes); this module
only reads, and every route to it checks `Perm.AUDIT_READ` first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenure.core.masking import mask_text
from tenure.core.models import AuditEntry
from tenure.customers.models import RevealReason
from tenure.org.models import Staff
from tenure.org.permissions import Perm, has_perm
from tenure.web.audit_labels import action_label, entry_reason, object_label

EXPORT_COLUMNS = [
    _("Time"),
    _("User"),
    _("Action"),
    _("Object type"),
    _("Object"),
    _("Customer"),
    _("Reason"),
    _("IP address"),
    _("Detail"),
]


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    customer_no: str = ""
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries(*, user, filters: AuditFilters) -> QuerySet:
    """Entries matching `filters`, newest first; compliance only."""
    if not has_perm(user, Perm.AUDIT_READ):
        raise PermissionDenied
    queryset = AuditEntry.objects.all()
    if filters.actor:
        queryset = queryset.filter(actor_name=filters.actor)
    if filters.customer_no:
        queryset = queryset.filter(customer_no=filters.customer_no)
    if filters.action:
        queryset = queryset.filter(action=filters.action)
    if filters.date_from:
        queryset = queryset.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    return queryset.order_by("-at", "-id")


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def audit_export_rows(entries: QuerySet) -> Iterator[list]:
    """One row per entry for CSV and XLSX: local time as a date-time, the action and reason in
    words; free text is masked like a log line."""
    for e in entries.iterator(chunk_size=2000):
        yield [
            timezone.localtime(e.at).replace(tzinfo=None, microsecond=0),
            e.actor_name,
            action_label(e.action),
            object_label(e.object_type),
            e.object_id,
            e.customer_no,
            entry_reason(e),
            e.ip_address or "",
            mask_text(str(e.detail)) if e.detail else "",
        ]


OVERVIEW_DAYS = 30
# What a compliance officer watches: reveals of personal data, exports, refused access, failed logins.
WATCHED = {
    "reveals": Q(action="customer.unmask"),
    "exports": Q(action__endswith=".export"),
    "denied": Q(action="access.denied"),
    "failed_logins": Q(action="auth.login_failed"),
}


def compliance_overview(*, user, days: int = OVERVIEW_DAYS) -> dict:
    """Counts of the watched events over the last `days`, who revealed most, and the latest of each."""
    since = timezone.now() - dt.timedelta(days=days)
    recent = audit_entries(user=user, filters=AuditFilters()).filter(at__gte=since)
    counts = recent.aggregate(**{name: Count("id", filter=q) for name, q in WATCHED.items()})
    top = recent.filter(WATCHED["reveals"]).values("actor_name").annotate(n=Count("id")).order_by("-n", "actor_name")
    return {
        "days": days,
        "counts": counts,
        **reveals_by_reason(user=user),
        "top_revealers": _with_names(list(top[:5])),
        # The page lists the latest reveals, exports and refusals (failed logins only as a count).
        "latest": {name: list(recent.filter(WATCHED[name])[:10]) for name in ("reveals", "exports", "denied")},
    }


def _with_names(rows: list[dict]) -> list[dict]:
    """Each row's `actor_name` (a username) with the person's name beside it, for reading."""
    names = dict(
        Staff.objects.filter(username__in=[r["actor_name"] for r in rows]).values_list("username", "full_name")
    )
    return [{**row, "name": names.get(row["actor_name"]) or row["actor_name"]} for row in rows]


def reveals_by_reason(*, user) -> dict:
    """This calendar month's reveals per reason code, every code listed (zeros too), then those
    written before reason codes existed (free text only)."""
    month_start = timezone.localdate().replace(day=1)
    reveals = audit_entries(user=user, filters=AuditFilters(action="customer.unmask", date_from=month_start))
    counts = dict(
        reveals.order_by().annotate(code=KT("detail__reason_code")).values_list("code").annotate(n=Count("id"))
    )
    rows = [{"code": code, "label": label, "n": counts.pop(code, 0)} for code, label in RevealReason.choices]
    return {"month_start": month_start, "reveal_reasons": rows, "reveals_uncoded": sum(counts.values())}
