"""Demo staff for `tenure demo`: one login per role, attached to a real part of the generated bank."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from tenure.core.audit import audit
from tenure.org.models import Branch, BranchLevel, Role, Staff
from tenure.org.services import staff_set_roles

DEMO_LOGINS = (
    ("demo-admin", Role.ADMIN, "系统管理员 / administrator, head office"),
    ("demo-analyst", Role.ANALYST, "总行分析师 / head-office analyst"),
    ("demo-branch", Role.BRANCH_HEAD, "网点负责人 / branch head"),
    ("demo-rm", Role.RM, "客户经理 / relationship manager in one sub-branch"),
    ("demo-lobby", Role.LOBBY, "大堂经理 / lobby manager in the same sub-branch"),
    ("demo-service", Role.SERVICE, "服务质量专员 / service-quality officer"),
    ("demo-compliance", Role.COMPLIANCE, "合规专员 / compliance officer"),
)


class DemoError(Exception):
    pass


def _busiest_rm() -> Staff | None:
    """The imported RM with the largest book: demo-rm logs in as them, so the book is real."""
    top = (
        Staff.objects.filter(employee_no__isnull=False, groups__name=Role.RM, home_branch__level=BranchLevel.SUB_BRANCH)
        .annotate(book_size=Count("book"))
        .order_by("-book_size", "employee_no")
        .first()
    )
    return top


@transaction.atomic
def demo_staff_ensure(password: str) -> list[dict]:
    """Create or refresh the demo logins (idempotent). Only allowed in demo mode."""
    if not settings.DEMO_MODE:
        raise DemoError("demo staff can only be created in demo mode (TENURE_DEMO=1, set by `tenure demo`)")
    head_office = Branch.objects.filter(level=BranchLevel.HEAD_OFFICE).first()
    if head_office is None:
        raise DemoError("no branches imported yet: import a bank first")
    existing_rm = Staff.objects.filter(username="demo-rm").first()
    rm = existing_rm or _busiest_rm()
    if rm is None:
        raise DemoError("no relationship manager imported yet: import a bank first")
    sub_branch = rm.home_branch
    if sub_branch is None:  # an imported RM always has one; a demo-rm edited by hand may not
        raise DemoError("the demo relationship manager has no home branch")
    branch = sub_branch.parent if sub_branch.parent and sub_branch.parent.level == BranchLevel.BRANCH else sub_branch
    homes = {Role.BRANCH_HEAD: branch, Role.LOBBY: sub_branch, Role.RM: sub_branch}
    result = []
    for username, role, description in DEMO_LOGINS:
        staff = rm if role == Role.RM else Staff.objects.filter(username=username).first() or Staff(username=username)
        staff.username = username
        home = homes.get(role, head_office)
        staff.home_branch = home
        staff.full_name = staff.full_name or description.split(" / ")[0]
        staff.is_staff = role == Role.ADMIN
        staff.set_password(password)
        staff.save()
        staff_set_roles(staff, [role])
        result.append({"username": username, "role": role.value, "branch": home.name, "about": description})
    audit(action="demo_staff_ensure", object_type="staff", detail={"logins": [r["username"] for r in result]})
    return result
