"""Escalation of open complaints past their SLA: to the branch head, then to head office.

Idempotent: a complaint's escalation level only rises, and each level is applied once, so running
the command twice (or the nightly after a manual run) changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tenure.complaints.lifecycle import record_event
from tenure.complaints.models import OPEN_STATUSES, Complaint, ComplaintEvent
from tenure.complaints.sla import breached, head_office_due
from tenure.core.audit import audit
from tenure.org.models import BranchLevel, Role, Staff
from tenure.org.selectors import branch_heads

BRANCH_HEAD, HEAD_OFFICE = 1, 2


def _service_officer() -> Staff | None:
    """The head-office service-quality officer who receives level-2 escalations (first by id)."""
    return (
        Staff.objects.filter(groups__name=Role.SERVICE, is_active=True, home_branch__level=BranchLevel.HEAD_OFFICE)
        .order_by("id")
        .first()
    )


def escalation_target(complaint: Complaint, now: dt.datetime) -> int:
    """The level this complaint should be at now: 0, 1 (branch head) or 2 (head office)."""
    if complaint.status not in OPEN_STATUSES or not breached(complaint, now):
        return complaint.escalation_level
    if now > head_office_due(complaint.severity, complaint.resolve_due_at) or complaint.customer_id is None:
        return HEAD_OFFICE  # an unmatched complaint has no branch head: straight to head office
    return max(complaint.escalation_level, BRANCH_HEAD)


def escalate_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Raise every open, breached complaint to the level it has earned; returns counts per level."""
    now = now or timezone.now()
    candidates = Complaint.objects.filter(status__in=OPEN_STATUSES, escalation_level__lt=HEAD_OFFICE).filter(
        resolve_due_at__lt=now
    ) | Complaint.objects.filter(status="received", ack_due_at__lt=now, escalation_level__lt=HEAD_OFFICE)
    heads = branch_heads()
    officer = _service_officer()
    counts = {"branch_head": 0, "head_office": 0}
    with transaction.atomic():
        for complaint in candidates.select_related("customer").distinct().order_by("id"):
            level = escalation_target(complaint, now)
            if level <= complaint.escalation_level:
                continue
            target = officer if level == HEAD_OFFICE else heads.get(complaint.branch_id or "")
            complaint.escalation_level, complaint.escalated_to, complaint.escalated_at = level, target, now
            complaint.save(update_fields=["escalation_level", "escalated_to", "escalated_at", "updated_at"])
            record_event(complaint, ComplaintEvent.Kind.ESCALATED, None, at=now, note=str(target or ""), level=level)
            counts["head_office" if level == HEAD_OFFICE else "branch_head"] += 1
        if any(counts.values()):
            audit(action="complaint.escalate", object_type="complaint", detail={**counts, "at": now.isoformat()})
    return counts
