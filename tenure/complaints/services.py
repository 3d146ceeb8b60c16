"""Writes: recording a complaint, its details and handling steps, matching a public one to a customer.

Each takes the acting staff member (None for the public form and the system), runs in one
transaction, appends a timeline line and writes an audit entry. Status changes are in `lifecycle`.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenure.complaints.lifecycle import record_event
from tenure.complaints.models import Complaint, ComplaintEvent, ComplaintStep, RootCause, Step
from tenure.complaints.sla import due_times
from tenure.core.audit import audit
from tenure.core.crypto import blind_index
from tenure.org.models import Staff

DETAIL_FIELDS = (
    "root_cause",
    "product_type",
    "severity",
    "fact_who",
    "fact_what",
    "fact_when",
    "fact_where",
    "fact_why",
    "resolution",
)


def reference_for(complaint: Complaint) -> str:
    """TS + date of receipt + the row id: unique, short enough to read out on the phone."""
    return f"TS{timezone.localtime(complaint.received_at):%Y%m%d}{complaint.pk:06d}"


def _customer_no(complaint: Complaint) -> str:
    return complaint.customer.customer_no if complaint.customer is not None else ""


def complaint_create(
    *,
    by: Staff | None,
    channel: str,
    description: str,
    severity: str = "medium",
    customer=None,
    product_type: str = "",
    contact_name: str = "",
    contact_mobile: str = "",
    received_at: dt.datetime | None = None,
    ip: str | None = None,
) -> Complaint:
    """Record a complaint (the customer's branch answers for it) with its SLA deadlines."""
    received_at = received_at or timezone.now()
    ack_due, resolve_due = due_times(severity, received_at)
    with transaction.atomic():
        complaint = Complaint.objects.create(
            customer=customer,
            branch_id=customer.branch_id if customer else None,
            channel=channel,
            product_type=product_type,
            severity=severity,
            description=description,
            contact_name=contact_name,
            contact_mobile=contact_mobile,
            contact_mobile_bidx=blind_index("mobile", contact_mobile) if contact_mobile else "",
            owner=by if getattr(by, "pk", None) else None,
            created_by=by if getattr(by, "pk", None) else None,
            received_at=received_at,
            ack_due_at=ack_due,
            resolve_due_at=resolve_due,
        )
        complaint.reference = reference_for(complaint)
        complaint.save(update_fields=["reference"])
        record_event(
            complaint,
            ComplaintEvent.Kind.CREATED,
            by,
            to_status=complaint.status,
            at=received_at,
            note=str(complaint.get_channel_display()),
        )
        audit(
            action="complaint.create",
            actor=by,
            object_type="complaint",
            object_id=complaint.pk,
            customer_no=_customer_no(complaint),
            detail={"channel": channel, "severity": severity},
            ip_address=ip,
        )
    return complaint


def complaint_update_details(*, complaint: Complaint, by: Staff, changes: dict, ip: str | None = None) -> Complaint:
    """Set root cause, product type, severity, the 5W facts and the resolution text.

    A severity change recomputes the deadlines from the time of receipt. Recording all five facts
    also ticks the checklist's "facts" step.
    """
    changed = {k: v for k, v in changes.items() if k in DETAIL_FIELDS and getattr(complaint, k) != v}
    if not changed:
        return complaint
    with transaction.atomic():
        for name, value in changed.items():
            setattr(complaint, name, value)
        if "severity" in changed:
            complaint.ack_due_at, complaint.resolve_due_at = due_times(complaint.severity, complaint.received_at)
        complaint.save()
        names = sorted(changed)
        record_event(complaint, ComplaintEvent.Kind.UPDATED, by, note=", ".join(names))
        if complaint.facts_complete and not complaint.steps.filter(step=Step.FACTS).exists():
            _step(complaint, Step.FACTS, by, note="", rating=None)
        audit(
            action="complaint.update",
            actor=by,
            object_type="complaint",
            object_id=complaint.pk,
            customer_no=_customer_no(complaint),
            detail={"fields": names},
            ip_address=ip,
        )
    return complaint


def _step(
    complaint: Complaint, step: str, by, *, note: str, rating: int | None, at: dt.datetime | None = None
) -> ComplaintStep:
    row = ComplaintStep.objects.create(
        complaint=complaint,
        step=step,
        done_by=by if getattr(by, "pk", None) else None,
        note=note[:500],
        rating=rating,
        done_at=at or timezone.now(),
    )
    record_event(
        complaint,
        ComplaintEvent.Kind.STEP,
        by,
        note=f"{f'{rating}/5 ' if rating else ''}{note}".strip(),
        at=row.done_at,
        step=step,
    )
    return row


def complaint_step_record(
    *, complaint: Complaint, by: Staff, step: str, note: str = "", rating: int | None = None, ip: str | None = None
) -> ComplaintStep:
    """Tick one handling step (once per complaint). The follow-up step needs a 1–5 rating."""
    if step not in Step.values:
        raise ValueError(_("Unknown handling step."))
    if step == Step.FOLLOW_UP and rating not in (1, 2, 3, 4, 5):
        raise ValueError(_("The follow-up needs the customer's satisfaction from 1 to 5."))
    if step != Step.FOLLOW_UP:
        rating = None
    with transaction.atomic():
        if complaint.steps.filter(step=step).exists():
            raise ValueError(_("This step is already recorded."))
        row = _step(complaint, step, by, note=note, rating=rating)
        audit(
            action="complaint.step",
            actor=by,
            object_type="complaint",
            object_id=complaint.pk,
            customer_no=_customer_no(complaint),
            detail={"step": step},
            ip_address=ip,
        )
    return row


def complaint_match(*, complaint: Complaint, by: Staff, customer, ip: str | None = None) -> Complaint:
    """Attach an unmatched public complaint to the customer the service officer identified."""
    if complaint.customer_id is not None:
        raise ValueError(_("This complaint already belongs to a customer."))
    with transaction.atomic():
        complaint.customer, complaint.branch_id = customer, customer.branch_id
        complaint.save(update_fields=["customer", "branch", "updated_at"])
        record_event(complaint, ComplaintEvent.Kind.MATCHED, by, note=customer.customer_no)
        audit(
            action="complaint.match",
            actor=by,
            object_type="complaint",
            object_id=complaint.pk,
            customer_no=customer.customer_no,
            ip_address=ip,
        )
    return complaint


def root_cause_save(*, by: Staff, cause: RootCause | None, values: dict) -> RootCause:
    """Create or edit a root cause (codes are permanent once used: reports group by them)."""
    with transaction.atomic():
        cause = cause or RootCause()
        for name in ("code", "label_zh", "label_en", "position", "active"):
            if name in values:
                setattr(cause, name, values[name])
        cause.save()
        audit(
            action="complaint.cause.save",
            actor=by,
            object_type="root_cause",
            object_id=cause.pk,
            detail={"code": cause.code, "active": cause.active},
        )
    return cause
