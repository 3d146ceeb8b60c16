"""The one function every part of Tenure calls to write an audit entry."""

from __future__ import annotations

from collections.abc import Iterable
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
        **_fields(
            action=action,
            actor=actor,
            object_type=object_type,
            object_id=object_id,
            customer_no=customer_no,
            reason=reason,
            detail=detail,
            ip_address=ip_address,
        )
    )


def audit_many(entries: Iterable[dict[str, Any]], *, actor=None) -> None:
    """Append many entries of one actor at once, each as `audit` writes it (each dict holds `audit`'s
    other arguments): a sender queueing thousands of messages writes one insert per thousand rows
    instead of one per row. Inside the acting transaction, like `audit`."""
    AuditEntry.objects.bulk_create([AuditEntry(**_fields(actor=actor, **e)) for e in entries], batch_size=1000)


def _fields(
    *,
    action: str,
    actor=None,
    object_type: str = "",
    object_id: str | int = "",
    customer_no: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> dict[str, Any]:
    return dict(
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
