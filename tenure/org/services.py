"""Writes to the branch tree and staff."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group

from tenure.org.models import Branch, Role, Staff


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
