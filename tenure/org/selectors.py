"""Reads of the branch tree and staff."""

from __future__ import annotations

from tenure.org.models import Branch, Role, Staff


def branch_heads() -> dict[str, Staff]:
    """Branch code → the branch head answerable for it: an active branch head working at that
    branch, else at the nearest branch above it (the longest-serving, lowest id, where a branch
    has several). Branches with no such head anywhere above them are absent."""
    own: dict[str, Staff] = {}
    active_heads = Staff.objects.filter(groups__name=Role.BRANCH_HEAD, is_active=True, home_branch__isnull=False)
    for staff in active_heads.order_by("id"):
        if staff.home_branch_id is not None:  # always, by the query; says so to mypy
            own.setdefault(staff.home_branch_id, staff)
    parents = dict(Branch.objects.values_list("code", "parent_id"))
    heads: dict[str, Staff] = {}
    for code in parents:
        node: str | None = code
        while node is not None and node not in own:
            node = parents.get(node)
        if node is not None:
            heads[code] = own[node]
    return heads


def branch_head_for(branch: Branch | str) -> Staff | None:
    """The branch head answerable for one branch (see `branch_heads`)."""
    code = branch.code if isinstance(branch, Branch) else branch
    return branch_heads().get(code)
