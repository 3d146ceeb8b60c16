"""The one function every part of Tenure calls to write an audit entry."""

from __future__ import annotations

from typing import Any

from tenure.core.models import AuditEntry


def audit(
    *,
    action: str,
    actor=None,
    object_type: str = "",
    object_id: str | int = "",
    customer_no: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Append one entry; `actor` is a Staff or None for the system (imports, nightly runs)."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", None) or "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        customer_no=customer_no,
        reason=reason,
        detail=detail or {},
        ip_address=ip_address,
    )
