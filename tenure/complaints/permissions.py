"""Who may do what with complaints: one place, shared by pages, API, menu and docs/complaints.md.

Branch roles serve customers, so they record and handle their subtree's complaints; the
head-office service-quality officer handles every branch and the unmatched public complaints;
compliance reads them. The recovery page shows aggregates to analysts, service quality and branch
heads (their subtree). Root causes change every report, so administrators and service quality edit them.
"""

from __future__ import annotations

from tenure.org.models import Role
from tenure.org.scoping import acts_as

HANDLER_ROLES = (Role.RM, Role.LOBBY, Role.BRANCH_HEAD, Role.SERVICE)
READER_ROLES = (*HANDLER_ROLES, Role.COMPLIANCE)
ANALYTICS_ROLES = (Role.ANALYST, Role.SERVICE, Role.BRANCH_HEAD)
CAUSE_EDITOR_ROLES = (Role.ADMIN, Role.SERVICE)


def can_view_complaints(user) -> bool:
    return acts_as(user, *READER_ROLES)


def can_handle_complaints(user) -> bool:
    return acts_as(user, *HANDLER_ROLES)


def can_view_recovery(user) -> bool:
    return acts_as(user, *ANALYTICS_ROLES)


def can_edit_causes(user) -> bool:
    return acts_as(user, *CAUSE_EDITOR_ROLES)
