"""Recording interactions. Who may write: staff who serve customers (not the read-only auditors)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tenure.contacts.models import Interaction
from tenure.core.audit import audit
from tenure.core.masking import mask_text
from tenure.org.models import Role
from tenure.org.scoping import acts_as

RECORDING_ROLES = (Role.RM, Role.LOBBY, Role.BRANCH_HEAD, Role.SERVICE, Role.ADMIN)


def can_record(user) -> bool:
    return acts_as(user, *RECORDING_ROLES)


def interaction_record(
    *, user, customer, channel: str, summary: str, next_step: str = "", follow_up_on: dt.date | None = None
) -> Interaction:
    """Store the note as typed (staff may need the number they wrote) and audit it masked, in one transaction."""
    with transaction.atomic():
        interaction = Interaction.objects.create(
            customer=customer,
            staff=user,
            channel=channel,
            summary=summary.strip(),
            next_step=next_step.strip(),
            follow_up_on=follow_up_on,
        )
        audit(
            action="interaction.record",
            actor=user,
            object_type="interaction",
            object_id=interaction.pk,
            customer_no=customer.customer_no,
            detail={"channel": channel, "summary": mask_text(summary)[:200]},
        )
    return interaction
