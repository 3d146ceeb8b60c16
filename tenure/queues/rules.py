"""The target wait: versioned, audited, default 15 minutes (docs/queues.md).

"Served within target" counts tickets called within this many minutes of being issued; a walk-away
never counts as within target.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from tenure.core.audit import audit
from tenure.org.models import Staff
from tenure.queues.models import QueueTargetRules

DEFAULT_TARGET_MINUTES = 15
MAX_TARGET_MINUTES = 240


class TargetError(ValueError):
    """A target that cannot be used: `field` names the setting, the message says what is allowed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Target:
    version: int
    minutes: int


def validate_target(rules: object) -> dict[str, int]:
    """Return `rules` if usable, else raise TargetError naming the field."""
    if not isinstance(rules, dict) or set(rules) != {"target_minutes"}:
        raise TargetError("target_minutes", "required, and the only setting")
    value = rules["target_minutes"]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TARGET_MINUTES:
        raise TargetError("target_minutes", f"a whole number of minutes from 1 to {MAX_TARGET_MINUTES}")
    return rules


def active_target() -> Target:
    """The latest version; version 1 (15 minutes) is created on first use."""
    row = QueueTargetRules.objects.order_by("-version").first()
    if row is None:
        row, _ = QueueTargetRules.objects.get_or_create(
            version=1, defaults={"rules": {"target_minutes": DEFAULT_TARGET_MINUTES}}
        )
    return Target(row.version, int(row.rules["target_minutes"]))


@transaction.atomic
def target_save(*, by: Staff, minutes: int, note: str) -> Target:
    """Store `minutes` as the next version (audited `queues.target_save`); a reason is required."""
    note = note.strip()[:200]
    if not note:
        raise TargetError("note", "say why the target changes")
    rules = validate_target({"target_minutes": minutes})
    current = active_target()
    row = QueueTargetRules.objects.create(version=current.version + 1, rules=rules, note=note, created_by=by)
    audit(
        action="queues.target_save",
        actor=by,
        object_type="QueueTargetRules",
        object_id=row.version,
        detail={"note": note, "rules": rules, "previous_minutes": current.minutes},
    )
    return Target(row.version, minutes)
