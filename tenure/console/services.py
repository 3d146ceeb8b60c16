"""The console's writes to staff: create, roles, branch. Each is one transaction with its audit row.

Deactivation is `tenure.org.services.staff_deactivate` (it hands the book over); these are the
changes only an administrator makes."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tenure.core.audit import audit
from tenure.org.models import Branch, Role, Staff
from tenure.org.permissions import Perm, has_perm
from tenure.org.services import staff_set_roles

# No 0/O, 1/l/I: the password is read off a screen and typed once.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_GROUPS, PASSWORD_GROUP_LENGTH = 4, 4


def initial_password() -> str:
    """A one-time password (about 95 bits) in dash-separated groups, easy to read out."""
    return "-".join(
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUP_LENGTH)) for _ in range(PASSWORD_GROUPS)
    )


@dataclass(frozen=True)
class NewStaff:
    username: str
    full_name: str
    email: str
    employee_no: str
    branch: Branch
    roles: tuple[str, ...]


def _object_id(staff: Staff) -> str:
    return staff.employee_no or str(staff.pk)


def _check(by: Staff) -> None:
    if not has_perm(by, Perm.ADMIN_CONSOLE):
        raise PermissionDenied


def staff_create(*, by: Staff, new: NewStaff, ip: str | None = None) -> tuple[Staff, str]:
    """Create a member of staff with a one-time initial password they must change at first log-in.

    Returns the staff and the password: the caller shows it once; it is stored only hashed."""
    _check(by)
    password = initial_password()
    with transaction.atomic():
        if Staff.objects.filter(username__iexact=new.username).exists():
            raise ValidationError(_("This username is taken."))
        if new.employee_no and Staff.objects.filter(employee_no=new.employee_no).exists():
            raise ValidationError(_("This employee number is taken."))
        staff = Staff(
            username=new.username,
            full_name=new.full_name,
            email=new.email,
            employee_no=new.employee_no or None,
            home_branch=new.branch,
        )
        staff.set_password(password)  # sets must_change_password
        staff.save()
        staff_set_roles(staff, new.roles)
        audit(
            action="staff.create",
            actor=by,
            object_type="staff",
            object_id=_object_id(staff),
            detail={"username": staff.username, "branch": new.branch.code, "roles": sorted(new.roles)},
            ip_address=ip,
        )
    return staff, password


def staff_change(
    *, by: Staff, staff: Staff, roles: Iterable[str], branch: Branch, reason: str = "", ip: str | None = None
) -> list[str]:
    """Set `staff`'s roles and home branch; one audit row per change (`staff.roles`, `staff.branch`).

    Returns the actions written (none when nothing changed). An administrator cannot take the
    administrator role from themselves (no one would be left to give it back)."""
    _check(by)
    roles = sorted(set(roles))
    if staff.pk == by.pk and Role.ADMIN not in roles and not by.is_superuser:
        raise ValidationError(_("You cannot take the administrator role from yourself."))
    written = []
    with transaction.atomic():
        locked = Staff.objects.select_for_update().get(pk=staff.pk)
        if not locked.is_active:
            raise ValidationError(_("%(name)s is deactivated.") % {"name": locked})
        before = sorted(locked.groups.values_list("name", flat=True))
        if before != roles:
            staff_set_roles(locked, roles)
            audit(
                action="staff.roles",
                actor=by,
                object_type="staff",
                object_id=_object_id(locked),
                reason=reason,
                detail={"before": before, "after": roles},
                ip_address=ip,
            )
            written.append("staff.roles")
        if locked.home_branch_id != branch.code:
            detail = {"before": locked.home_branch_id or "", "after": branch.code}
            locked.home_branch = branch
            locked.save(update_fields=["home_branch"])
            audit(
                action="staff.branch",
                actor=by,
                object_type="staff",
                object_id=_object_id(locked),
                reason=reason,
                detail=detail,
                ip_address=ip,
            )
            written.append("staff.branch")
    staff.__dict__.pop("_role_codes", None)
    return written
