"""Who may open the analytics pages: one place, shared by the views and the menu link.

The analyst page shows aggregates only, so branch heads may see theirs (their subtree's counts,
from `visible_branch_codes`); the bank-wide parts (migration matrix, Pareto curve) need a
head-office role. The upgrade-potential list names customers: those who cultivate them (RMs, their
branch heads) and head office, each within their branch scope. Tier rules change every
customer's tier, so only administrators edit them.
"""

from __future__ import annotations

from tenure.org.models import Role
from tenure.org.scoping import acts_as, is_active_staff, sees_all


def can_view_analytics(user) -> bool:
    return is_active_staff(user) and (sees_all(user) or user.has_role(Role.BRANCH_HEAD))


def can_edit_rules(user) -> bool:
    return is_active_staff(user) and bool(user.is_superuser or user.has_role(Role.ADMIN))


def can_view_potential(user) -> bool:
    return sees_all(user) or acts_as(user, Role.RM, Role.BRANCH_HEAD)
