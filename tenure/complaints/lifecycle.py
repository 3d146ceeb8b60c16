"""The complaint lifecycle: received → acknowledged → investigating → resolved → followed up → closed,
and reopening (resolved, followed up or closed → investigating). Anything else is refused."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from tenure.complaints.models import Complaint, ComplaintEvent, Status, Step
from tenure.core.audit import audit

FORWARD: dict[str, str] = {
    Status.RECEIVED: Status.ACKNOWLEDGED,
    Status.ACKNOWLEDGED: Status.INVESTIGATING,
    Status.INVESTIGATING: Status.RESOLVED,
    Status.RESOLVED: Status.FOLLOWED_UP,
    Status.FOLLOWED_UP: Status.CLOSED,
}
# Sent inside the resolving transaction with `complaint` and `at`: messaging queues the notice to the customer.
COMPLAINT_RESOLVED = Signal()
REOPENABLE = frozenset({Status.RESOLVED, Status.FOLLOWED_UP, Status.CLOSED})
# Where each status's timestamp lives.
STAMPS: dict[str, str] = {
    Status.ACKNOWLEDGED: "acknowledged_at",
    Status.RESOLVED: "resolved_at",
    Status.FOLLOWED_UP: "followed_up_at",
    Status.CLOSED: "closed_at",
}


class TransitionError(ValueError):
    """A status change the lifecycle does not allow, or whose precondition is missing."""


def allowed_transitions(status: str) -> list[str]:
    """The statuses a complaint in `status` may move to (reopening lands on investigating)."""
    targets = [FORWARD[status]] if status in FORWARD else []
    if status in REOPENABLE:
        targets.append(Status.INVESTIGATING)
    return targets


def record_event(
    complaint: Complaint,
    kind: str,
    by,
    *,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
    at: dt.datetime | None = None,
    step: str = "",
    level: int | None = None,
) -> ComplaintEvent:
    """Append one timeline line (by None means the system, e.g. the nightly escalation)."""
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        by=by if getattr(by, "pk", None) else None,
        by_name=getattr(by, "username", None) or "system",
        note=note[:500],
        from_status=from_status,
        to_status=to_status,
        at=at or timezone.now(),
        step=step,
        level=level,
    )


def _check(complaint: Complaint, to: str) -> None:
    labels = dict(Status.choices)
    if to not in allowed_transitions(complaint.status):
        raise TransitionError(
            _("A complaint that is %(current)s cannot move to %(target)s.")
            % {"current": labels.get(complaint.status, complaint.status), "target": labels.get(to, to)}
        )
    if to == Status.RESOLVED and complaint.root_cause_id is None:
        raise TransitionError(_("Record the root cause before resolving the complaint."))
    if to == Status.FOLLOWED_UP and not complaint.steps.filter(step=Step.FOLLOW_UP).exists():
        raise TransitionError(_("Record the follow-up (the customer's satisfaction) before marking it followed up."))


def complaint_transition(
    complaint: Complaint, to: str, by, note: str = "", *, at: dt.datetime | None = None, ip: str | None = None
) -> Complaint:
    """Move `complaint` to status `to` (one transaction, timeline line and audit entry), or raise TransitionError.

    Reopening clears the resolution times, so SLA compliance is judged on the final resolution
    against the original deadline.
    """
    at = at or timezone.now()
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        _check(complaint, to)
        previous = complaint.status
        reopening = previous in REOPENABLE and to == Status.INVESTIGATING
        if reopening:
            complaint.resolved_at = complaint.followed_up_at = complaint.closed_at = None
            complaint.reopened_count += 1
        elif to in STAMPS:
            setattr(complaint, STAMPS[to], at)
        if to == Status.ACKNOWLEDGED and complaint.owner_id is None and getattr(by, "pk", None):
            complaint.owner = by
        complaint.status = to
        complaint.save()
        kind = ComplaintEvent.Kind.REOPENED if reopening else ComplaintEvent.Kind.TRANSITION
        record_event(complaint, kind, by, note=note, from_status=previous, to_status=to, at=at)
        if to == Status.RESOLVED:
            COMPLAINT_RESOLVED.send(sender=Complaint, complaint=complaint, at=at)
        audit(
            action="complaint.transition",
            actor=by,
            object_type="complaint",
            object_id=complaint.pk,
            customer_no=complaint.customer.customer_no if complaint.customer is not None else "",
            detail={"from": previous, "to": to},
            ip_address=ip,
        )
    return complaint
