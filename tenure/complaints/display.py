"""What a complaint shows on a page or in the API: identifiers masked, deadlines as time left."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from tenure.complaints.models import Complaint
from tenure.complaints.sla import next_deadline
from tenure.core.masking import mask_mobile, mask_name, mask_text


@dataclass(frozen=True)
class Row:
    c: Complaint
    who: str  # the customer's name, or the masked name a public complainant gave
    description: str  # identifiers in free text masked
    deadline: dt.datetime | None
    overdue: bool
    hours_left: int | None  # negative when overdue

    @property
    def hours_late(self) -> int:
        return -self.hours_left if self.hours_left is not None and self.hours_left < 0 else 0

    # Past two days, time reads in whole days ("overdue 113 days", not "2731 h").
    @property
    def in_days(self) -> bool:
        return self.hours_left is not None and abs(self.hours_left) >= 48

    @property
    def days_left(self) -> int:
        return max(self.hours_left or 0, 0) // 24

    @property
    def days_late(self) -> int:
        return self.hours_late // 24


def masked_complaint(complaint: Complaint) -> dict[str, str]:
    """Contact details of an unmatched public complaint and the free text, masked."""
    return {
        "contact_name": mask_name(complaint.contact_name),
        "contact_mobile": mask_mobile(complaint.contact_mobile),
        "description": mask_text(complaint.description),
        "resolution": mask_text(complaint.resolution),
    }


def complaint_row(complaint: Complaint, now: dt.datetime | None = None) -> Row:
    now = now or timezone.now()
    deadline = getattr(complaint, "next_due", None) or next_deadline(complaint)
    left = None if deadline is None else int((deadline - now).total_seconds() // 3600)
    who = complaint.customer.name if complaint.customer is not None else mask_name(complaint.contact_name)
    return Row(complaint, who, mask_text(complaint.description), deadline, left is not None and left < 0, left)


def complaint_rows(complaints: Iterable[Complaint]) -> list[Row]:
    now = timezone.now()
    return [complaint_row(c, now) for c in complaints]
