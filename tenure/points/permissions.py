"""Who may open the points pages and who may redeem: one place, shared by the views, the menu and
docs/security.md.

Merchant points are read by those who look after merchants (RMs and branch heads, within their
branch subtree) and by head office's analysts and administrators. Lobby managers, service quality
and compliance have no use for them. Redeeming takes points away for good, so only branch heads
(their subtree) and administrators do it.
"""

from __future__ import annotations

from tenure.org.models import Role
from tenure.org.scoping import acts_as, is_active_staff

VIEWER_ROLES = (Role.RM, Role.BRANCH_HEAD, Role.ANALYST, Role.ADMIN)
REDEEMER_ROLES = (Role.BRANCH_HEAD, Role.ADMIN)


def can_view_points(user) -> bool:
    return is_active_staff(user) and bool(user.is_superuser or user.has_role(*VIEWER_ROLES))


def can_redeem_points(user) -> bool:
    return is_active_staff(user) and bool(user.is_superuser or acts_as(user, *REDEEMER_ROLES))
