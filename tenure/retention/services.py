"""Writes for the playbooks: handoffs, intercept chains, preferential-terms proposals, competitor products.

Each service takes the acting staff member, runs in one transaction and writes its audit entry.
Role checks live here too (not only in the views) so the API or a command cannot skip them.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tenure.core.audit import audit
from tenure.customers.models import Product
from tenure.org.models import Staff
from tenure.org.permissions import Perm, has_perm
from tenure.retention.models import Handoff, Intercept, InterceptStep, Proposal

# The intercept chain (docs/churn.md): RM gives the list to the lobby manager, who tells the
# counter; when the customer comes, the lobby manager leads them to the wealth area where the RM tries
# to keep the money, and the counter records what was kept. Counter staff hold the lobby role here.
# Who may do each step is the retention part of the permission table (tenure/org/permissions.py).
CHAIN = (
    ("rm", Perm.INTERCEPT_RM_STEP),
    ("lobby", Perm.INTERCEPT_LOBBY_STEP),
    ("counter", Perm.INTERCEPT_COUNTER_STEP),
)


def _require(user, perm: Perm) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied


def handoff_create(*, customer, by: Staff, topic: str, note: str) -> Handoff:
    """The lobby manager hands the customer to their RM (docs/churn.md)."""
    _require(by, Perm.RETENTION_HANDOFF)
    rm = Staff.objects.filter(employee_no=customer.rm_id).first() if customer.rm_id else None
    with transaction.atomic():
        handoff = Handoff.objects.create(customer=customer, topic=topic, note=note[:500], from_staff=by, to_staff=rm)
        audit(
            action="retention.handoff.create",
            actor=by,
            object_type="handoff",
            object_id=handoff.pk,
            customer_no=customer.customer_no,
            detail={"topic": topic},
        )
    return handoff


def handoff_done(*, handoff: Handoff, by: Staff) -> Handoff:
    with transaction.atomic():
        handoff.done_by, handoff.done_at = by, timezone.now()
        handoff.save(update_fields=["done_by", "done_at"])
        audit(
            action="retention.handoff.done",
            actor=by,
            object_type="handoff",
            object_id=handoff.pk,
            customer_no=handoff.customer.customer_no,
        )
    return handoff


def intercept_record(*, customer, by: Staff, kind: str, amount: Decimal, appointment_on) -> Intercept:
    """An appointment for a large withdrawal or transfer; raises the RM → lobby → counter chain."""
    _require(by, Perm.INTERCEPT_RECORD)
    with transaction.atomic():
        intercept = Intercept.objects.create(
            customer=customer, kind=kind, amount=amount, appointment_on=appointment_on, recorded_by=by
        )
        InterceptStep.objects.bulk_create(
            [InterceptStep(intercept=intercept, position=i, actor=actor) for i, (actor, _) in enumerate(CHAIN, 1)]
        )
        audit(
            action="retention.intercept.record",
            actor=by,
            object_type="intercept",
            object_id=intercept.pk,
            customer_no=customer.customer_no,
            detail={"kind": kind, "amount": str(amount)},
        )
    return intercept


def intercept_step_done(
    *, intercept: Intercept, by: Staff, note: str = "", retained: Decimal | None = None
) -> InterceptStep:
    """Complete the next open step, in order, by someone holding that step's role; the counter step
    records the amount kept and closes the intercept."""
    step = intercept.steps.filter(done_at__isnull=True).order_by("position").first()
    if step is None:
        raise ValueError("every step of this intercept is done")
    _require(by, dict(CHAIN)[step.actor])
    if step.actor == "counter" and retained is None:
        raise ValueError("the counter step records the amount kept")
    with transaction.atomic():
        step.done_by, step.done_at, step.note = by, timezone.now(), note[:300]
        step.save(update_fields=["done_by", "done_at", "note"])
        if step.actor == "counter" and retained is not None:  # always given for the counter step (checked above)
            intercept.retained_amount = min(retained, intercept.amount)
            intercept.save(update_fields=["retained_amount"])
        audit(
            action="retention.intercept.step",
            actor=by,
            object_type="intercept",
            object_id=intercept.pk,
            customer_no=intercept.customer.customer_no,
            detail={"step": step.actor},
        )
    return step


def proposal_create(*, customer, alert, by: Staff, terms: str, rate_bonus_bp: int) -> Proposal:
    """Propose preferential terms for a valuable customer; a branch head must approve (audited)."""
    _require(by, Perm.PROPOSAL_CREATE)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            customer=customer, alert=alert, terms=terms[:500], rate_bonus_bp=rate_bonus_bp, proposed_by=by
        )
        audit(
            action="retention.proposal.create",
            actor=by,
            object_type="proposal",
            object_id=proposal.pk,
            customer_no=customer.customer_no,
            detail={"rate_bonus_bp": rate_bonus_bp},
        )
    return proposal


def proposal_decide(*, proposal: Proposal, by: Staff, approve: bool, note: str = "") -> Proposal:
    """The branch head approves or rejects; nobody decides on their own proposal (four eyes)."""
    _require(by, Perm.PROPOSAL_DECIDE)
    if proposal.status != Proposal.Status.PENDING:
        raise ValueError("this proposal was already decided")
    if proposal.proposed_by_id == by.pk:
        raise PermissionDenied
    with transaction.atomic():
        proposal.status = Proposal.Status.APPROVED if approve else Proposal.Status.REJECTED
        proposal.decided_by, proposal.decided_at, proposal.decision_note = by, timezone.now(), note[:300]
        proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit(
            action="retention.proposal.decide",
            actor=by,
            object_type="proposal",
            object_id=proposal.pk,
            customer_no=proposal.customer.customer_no,
            detail={"status": proposal.status},
        )
    return proposal


def competitor_product_save(*, product: Product, by: Staff) -> Product:
    """Add or change a competitor product (analysts keep the comparison table, docs/churn.md)."""
    _require(by, Perm.COMPETITOR_PRODUCTS_EDIT)
    if not product.is_competitor:
        raise ValueError("only competitor products are kept here")
    with transaction.atomic():
        created = product.pk is None
        product.save()
        audit(
            action="retention.competitor_product.save",
            actor=by,
            object_type="product",
            object_id=product.code,
            detail={"created": created, "issuer": product.issuer, "rate": str(product.rate)},
        )
    return product
