"""Lost-customer interviews (docs/churn.md § Lost customers): reason codes, recording, aggregation.

Reason codes come from the causes docs/churn.md names (service attitude, queues, rates, products,
e-banking, moving away, security, branch network). Each belongs to a group; the per-branch share of
"service" and "price" reasons becomes a churn-model feature (`tenure.churn.dataset`).
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tenure.core.audit import audit
from tenure.retention.models import LostInterview

# code -> (label, group)
REASONS = {
    "service_attitude": (_("Staff attitude or service quality"), "service"),
    "waiting_time": (_("Queues and waiting time"), "service"),
    "complaint_unresolved": (_("A complaint was not resolved"), "service"),
    "security": (_("Worried about security"), "service"),
    "better_rate": (_("Better rate or yield elsewhere"), "price"),
    "loan_terms": (_("Loan rate or terms"), "price"),
    "fees": (_("Fees"), "price"),
    "product_range": (_("Another bank's products suit better"), "product"),
    "digital_banking": (_("Online or mobile banking hard to use"), "product"),
    "branch_location": (_("Branch or ATMs not convenient"), "convenience"),
    "relocation": (_("Moved away"), "life"),
    "other": (_("Other"), "other"),
}
OTHER_COMPETITOR = "other"


def interview_record(
    *, customer, alert, by, reasons: list[str], competitor: str, would_return: str, note: str
) -> LostInterview:
    """Store the interview of a lost customer (one per alert), audited. Reasons must be known codes."""
    unknown = set(reasons) - set(REASONS)
    if unknown or not reasons:
        raise ValueError(f"unknown or missing reason codes: {sorted(unknown)}")
    with transaction.atomic():
        interview, _created = LostInterview.objects.update_or_create(
            alert=alert,
            customer=customer,
            defaults={
                "reasons": sorted(set(reasons)),
                "competitor": competitor[:64],
                "would_return": would_return,
                "note": note[:1000],
                "recorded_by": by,
                "branch_code": customer.branch_id,
            },
        )
        audit(
            action="retention.interview.record",
            actor=by,
            object_type="lost_interview",
            object_id=interview.pk,
            customer_no=customer.customer_no,
            detail={"reasons": interview.reasons, "competitor": competitor},
        )
    return interview


def aggregate(interviews) -> dict:
    """Counts by reason, by competitor and by "would return" over an (already scoped) queryset."""
    reasons: Counter = Counter()
    competitors: Counter = Counter()
    returning: Counter = Counter()
    total = 0
    for codes, competitor, would in interviews.values_list("reasons", "competitor", "would_return").iterator():
        total += 1
        reasons.update(codes)
        competitors[competitor or OTHER_COMPETITOR] += 1
        returning[would] += 1
    return {"total": total, "reasons": reasons, "competitors": competitors, "would_return": returning}
