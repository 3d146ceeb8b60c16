"""Writes to the branch tree and staff."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from tenure.core.audit import audit
from tenure.org.models import Branch, Role, Staff
from tenure.org.permissions import Perm, has_perm
from tenure.org.scoping import scoped

# Sent by `staff_deactivate` inside its transaction, before the audit row, with keyword arguments
# `staff`, `successor`, `by` and `reason`. Each receiver hands over what the leaver owns (customers
# hands the book, engagement the open tasks) and returns a dict of counts for the audit row, e.g.
# {"customers": 12}. A receiver that raises (ValidationError) undoes the whole deactivation. Org
# cannot import the apps above it, so they come to it (docs/book.md).
STAFF_DEACTIVATED = Signal()

# What a branch head may deactivate: the staff of a sub-branch, not their peers or head office.
BRANCH_HEAD_MAY_DEACTIVATE = frozenset({Role.RM, Role.LOBBY})
MIN_REASON_LENGTH = 4


def branch_paths_rebuild() -> int:
    """Recompute every branch's materialised path from the parent links; returns rows changed."""
    branches = {b.code: b for b in Branch.objects.all()}

    def path_of(code: str, seen: tuple[str, ...] = ()) -> str:
        if code in seen:
            raise ValueError(f"branch tree has a cycle through {code}")
        branch = branches[code]
        prefix = path_of(branch.parent_id, seen + (code,)) if branch.parent_id else "/"
        return f"{prefix}{code}/"

    changed = []
    for code, branch in branches.items():
        path = path_of(code)
        if branch.path != path:
            branch.path = path
            changed.append(branch)
    Branch.objects.bulk_update(changed, ["path"], batch_size=1000)
    return len(changed)


def roles_ensure() -> dict[str, Group]:
    """Create one group per role code (idempotent)."""
    return {code: Group.objects.get_or_create(name=code)[0] for code in Role.values}


def staff_set_roles(staff: Staff, roles: Iterable[str]) -> None:
    groups = roles_ensure()
    staff.groups.set([groups[r] for r in roles])
    staff.__dict__.pop("_role_codes", None)


def deactivatable_staff(by: Staff):
    """Active staff `by` may deactivate: their subtree's (everyone's, for head office), never
    themselves; a branch head only RMs and lobby managers."""
    queryset = scoped(Staff.objects.filter(is_active=True), by).exclude(pk=by.pk)
    if not has_perm(by, Perm.CUSTOMERS_BANK_WIDE):
        wider = set(Role) - BRANCH_HEAD_MAY_DEACTIVATE
        queryset = queryset.exclude(groups__name__in=wider).exclude(is_superuser=True)
    return queryset.select_related("home_branch").order_by("full_name", "username")


def successor_candidates(by: Staff):
    """Active staff of `by`'s subtree who may take over from a leaver (the book itself needs an RM:
    the customers app checks that when it hands the book over)."""
    return scoped(Staff.objects.filter(is_active=True), by).select_related("home_branch").order_by("full_name")


def staff_deactivate(*, by: Staff, staff: Staff, successor: Staff, reason: str, ip: str | None = None) -> dict:
    """Deactivate `staff` and hand what they own to `successor`, in one transaction with one audit row.

    The hand-over is done by the receivers of `STAFF_DEACTIVATED` (their counts go into the audit row
    and the returned dict). Refused (PermissionDenied) when `by` may not deactivate `staff`; refused
    (ValidationError) for a missing reason, an inactive or out-of-scope successor, or the leaver as
    their own successor. Deactivating someone already inactive changes nothing and returns {}.
    """
    if not has_perm(by, Perm.STAFF_DEACTIVATE):
        raise PermissionDenied
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(_("Please give a reason of at least %(n)d characters.") % {"n": MIN_REASON_LENGTH})
    with transaction.atomic():
        locked = Staff.objects.select_for_update().filter(pk=staff.pk).first()
        if locked is None:
            raise PermissionDenied
        if not locked.is_active:
            return {}  # a repeated submit: the first one did everything
        if not deactivatable_staff(by).filter(pk=staff.pk).exists():
            raise PermissionDenied
        if successor.pk == staff.pk or not successor_candidates(by).filter(pk=successor.pk).exists():
            raise ValidationError(_("Choose an active colleague of your branches as the successor."))
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        handed: dict[str, Any] = {}
        for _receiver, counts in STAFF_DEACTIVATED.send(
            sender=Staff, staff=locked, successor=successor, by=by, reason=reason
        ):
            if isinstance(counts, dict):
                handed.update(counts)
        audit(
            action="staff.deactivate",
            actor=by,
            object_type="staff",
            object_id=staff.employee_no or staff.pk,
            reason=reason,
            detail={"successor": successor.employee_no or successor.username, **handed},
            ip_address=ip,
        )
    return handed
