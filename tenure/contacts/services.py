"""Recording interactions. Who may write: staff who serve customers (not the read-only auditors),
`Perm.INTERACTION_RECORD`."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tenure.contacts.models import Interaction
from tenure.core.audit import audit
from tenure.core.masking import mask_text
from tenure.customers.models import Customer
from tenure.org.models import Staff


def interaction_record(
    *,
    by: Staff,
    customer: Customer,
    channel: str,
    summary: str,
    next_step: str = "",
    follow_up_on: dt.date | None = None,
) -> Interaction:
    """Store the note and audit it, in one transaction. A mobile, ID or card number typed into the
    note is stored masked, as every page would show it: free text is not an encrypted field."""
    with transaction.atomic():
        interaction = Interaction.objects.create(
            customer=customer,
            staff=by,
            channel=channel,
            summary=mask_text(summary.strip()),
            next_step=mask_text(next_step.strip()),
            follow_up_on=follow_up_on,
        )
        audit(
            action="interaction.record",
            actor=by,
            object_type="interaction",
            object_id=interaction.pk,
            customer_no=customer.customer_no,
            detail={"channel": channel, "summary": mask_text(summary)[:200]},
        )
    return interaction
