"""Dedicated teams of key customers (seed 002: the key layer gets a team, not one person): the RM,
the branch head answerable for the branch, and colleagues a branch head names (docs/workbench.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tenure.analytics.models import CustomerValue, ValueLevel
from tenure.core.audit import audit
from tenure.customers.models import Customer
from tenure.engagement.models import TeamMember
from tenure.org.models import Staff
from tenure.org.selectors import branch_head_for


@dataclass(frozen=True)
class Seat:
    staff: Staff
    role: str  # a label
    member: TeamMember | None = None  # None: the RM and the branch head, who are in the team by office


def is_key_customer(customer: Customer) -> bool:
    """In the pyramid's key layer, as the latest nightly published it."""
    level = CustomerValue.objects.filter(customer_id=customer.customer_no).values_list("value_level", flat=True).first()
    return level == ValueLevel.KEY


def dedicated_team(customer: Customer) -> list[Seat]:
    """The RM, the branch head and the named colleagues, in that order (each person once)."""
    seats: list[Seat] = []
    if customer.rm is not None and customer.rm.is_active:
        seats.append(Seat(customer.rm, str(_("Relationship manager"))))
    head = branch_head_for(customer.branch_id)
    if head is not None and all(seat.staff.pk != head.pk for seat in seats):
        seats.append(Seat(head, str(_("Branch head"))))
    for member in TeamMember.objects.filter(customer_id=customer.customer_no, staff__is_active=True).select_related(
        "staff"
    ):
        if all(seat.staff.pk != member.staff_id for seat in seats):
            seats.append(Seat(member.staff, member.get_role_display(), member))
    return seats


def team_member_add(*, by: Staff, customer: Customer, staff: Staff, role: str) -> TeamMember:
    """Name `staff` in the customer's team (the view checks both are in `by`'s scope), audited."""
    with transaction.atomic():
        member, _created = TeamMember.objects.update_or_create(
            customer_id=customer.customer_no, staff=staff, defaults={"role": role, "added_by": by}
        )
        audit(
            action="team.add", actor=by, object_type="customer", object_id=customer.pk,
            customer_no=customer.customer_no, detail={"staff": staff.pk, "role": role},
        )  # fmt: skip
    return member


def team_member_remove(*, by: Staff, member: TeamMember) -> None:
    with transaction.atomic():
        audit(
            action="team.remove", actor=by, object_type="customer", object_id=member.customer_id,
            customer_no=member.customer_id, detail={"staff": member.staff_id, "role": member.role},
        )  # fmt: skip
        member.delete()
