"""Service levels per severity, on the Chinese working-day calendar (`tenure.core.calendar`).

* acknowledge within `ack_hours` clock hours of receipt (phone and app queues run every day);
* resolve by the end (23:59:59 local) of the `resolve_working_days`-th working day after the day
  of receipt — weekends and public holidays do not count, adjusted working Saturdays (调休) do;
* breached and still open → the branch head; still open `head_office_after_working_days` working
  days after the resolve deadline → head office (service quality).

Defaults below; a bank overrides any of them with the `TENURE_COMPLAINTS_SLA` setting (same shape).
"""

from __future__ import annotations

import datetime as dt
from copy import deepcopy
from typing import Any

from django.conf import settings
from django.utils import timezone

from tenure.core.calendar import add_working_days

DEFAULTS: dict[str, dict[str, int]] = {
    "critical": {"ack_hours": 2, "resolve_working_days": 1, "head_office_after_working_days": 1},
    "high": {"ack_hours": 4, "resolve_working_days": 3, "head_office_after_working_days": 2},
    "medium": {"ack_hours": 24, "resolve_working_days": 5, "head_office_after_working_days": 3},
    "low": {"ack_hours": 48, "resolve_working_days": 10, "head_office_after_working_days": 5},
}
END_OF_DAY = dt.time(23, 59, 59)


def sla_config() -> dict[str, dict[str, int]]:
    """The defaults with the deployment's `TENURE_COMPLAINTS_SLA` overrides applied."""
    config = deepcopy(DEFAULTS)
    for severity, values in (getattr(settings, "TENURE_COMPLAINTS_SLA", {}) or {}).items():
        config.setdefault(severity, {}).update(values)
    return config


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, END_OF_DAY))


def due_times(severity: str, received_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(acknowledge by, resolve by) for a complaint of `severity` received at `received_at`."""
    rule = sla_config()[severity]
    day = timezone.localtime(received_at).date()
    return (
        received_at + dt.timedelta(hours=rule["ack_hours"]),
        _end_of(add_working_days(day, rule["resolve_working_days"])),
    )


def head_office_due(severity: str, resolve_due_at: dt.datetime) -> dt.datetime:
    """When a still-open complaint goes from the branch head to head office."""
    rule = sla_config()[severity]
    day = timezone.localtime(resolve_due_at).date()
    return _end_of(add_working_days(day, rule["head_office_after_working_days"]))


def next_deadline(complaint: Any) -> dt.datetime | None:
    """The deadline the handler works to now: acknowledgement first, then resolution; None once resolved."""
    if complaint.status == "received":
        return min(complaint.ack_due_at, complaint.resolve_due_at)
    if complaint.status in ("acknowledged", "investigating"):
        return complaint.resolve_due_at
    return None


def breached(complaint: Any, now: dt.datetime) -> bool:
    """Open and past the acknowledgement (while unacknowledged) or the resolution deadline."""
    deadline = next_deadline(complaint)
    return deadline is not None and now > deadline
