"""The churn policy as versioned rules (`ChurnPolicy`): the severity grid, alert routing and
deadline, the let-go policy and the signal thresholds (docs/churn.md § Policy versions).

The newest version is in force; version 1 is the built-in one (a data migration, or created on
first use). A deployment's `TENURE_CHURN` overrides of these keys apply to the built-in version
only: the first version an administrator saves starts from them and is complete on its own. The
churn definition (`label`) and the model settings (`model`) stay deployment settings of
`tenure.churn.config`: they belong to a trained model, not to the daily work.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from tenure.analytics.models import AssetTier, ValueLevel
from tenure.churn.config import DEFAULTS, merged
from tenure.churn.models import ChurnPolicy
from tenure.churn.thresholds import ThresholdError, validate_thresholds
from tenure.core.audit import audit
from tenure.org.models import Staff

POLICY_KEYS = ("severity", "alerts", "policy", "signals")


class PolicyError(ValueError):
    """A policy that cannot be used: `field` names the setting, the message says what is allowed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Policy:
    version: int
    rules: dict[str, Any]


def built_in_policy() -> dict[str, Any]:
    """The defaults of `config.DEFAULTS` for the policy's keys."""
    return {key: copy.deepcopy(DEFAULTS[key]) for key in POLICY_KEYS}


def active_policy() -> Policy:
    """The newest version (version 1, the built-in one, is created on first use)."""
    row = ChurnPolicy.objects.order_by("-version").first()
    if row is None:
        row, _ = ChurnPolicy.objects.get_or_create(version=1, defaults={"rules": built_in_policy()})
    rules = row.rules
    if row.version == 1 and row.created_by_id is None:
        overrides = getattr(settings, "TENURE_CHURN", {}) or {}
        rules = merged(rules, {k: v for k, v in overrides.items() if k in POLICY_KEYS})
    return Policy(row.version, rules)


def _share(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise PolicyError(field, "a share above 0 and at most 1 (100 %)")
    return float(value)


def validate_policy(rules: dict[str, Any]) -> dict[str, Any]:
    """Return `rules` if usable, else raise PolicyError naming the field."""
    if not isinstance(rules, dict) or set(rules) != set(POLICY_KEYS):
        raise PolicyError("rules", f"exactly the keys {', '.join(POLICY_KEYS)}")
    grid, alerts, policy = rules["severity"], rules["alerts"], rules["policy"]
    if _share(grid.get("medium"), "severity.medium") >= _share(grid.get("high"), "severity.high"):
        raise PolicyError("severity.medium", "below the probability rated high")
    value = grid.get("value_at_risk_high")
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise PolicyError("severity.value_at_risk_high", "yuan, zero or more")
    days = alerts.get("sla_working_days")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 30:
        raise PolicyError("alerts.sla_working_days", "a whole number of working days from 1 to 30")
    _share(alerts.get("min_probability"), "alerts.min_probability")
    if not set(alerts.get("key_tiers") or []) <= set(AssetTier.values):
        raise PolicyError("alerts.key_tiers", "asset tiers")
    for key in ("low_levels", "high_levels"):
        if not set(policy.get(key) or []) <= set(ValueLevel.values):
            raise PolicyError(f"policy.{key}", "value levels")
    if set(policy.get("low_levels") or []) & set(policy.get("high_levels") or []):
        raise PolicyError("policy.high_levels", "no level both let go and kept with preferential terms")
    years = policy.get("long_tenure_years")
    if isinstance(years, bool) or not isinstance(years, int) or not 0 <= years <= 50:
        raise PolicyError("policy.long_tenure_years", "a whole number of years from 0 to 50")
    if not isinstance(rules["signals"], dict) or set(rules["signals"]) != set(DEFAULTS["signals"]):
        raise PolicyError("signals", "every signal of the built-in policy")
    try:
        validate_thresholds(rules["signals"])
    except ThresholdError as exc:
        raise PolicyError(exc.field, exc.message) from exc
    return rules


@transaction.atomic
def policy_save(*, by: Staff, rules: dict[str, Any], note: str) -> Policy:
    """Store `rules` as the next version (audited `churn.policy_save`); a reason is required. Alerts
    raised and scores rated from then on follow it."""
    note = note.strip()[:200]
    if not note:
        raise PolicyError("note", "say why the policy changes")
    validate_policy(rules)
    current = active_policy()
    row = ChurnPolicy.objects.create(version=current.version + 1, rules=rules, note=note, created_by=by)
    audit(
        action="churn.policy_save",
        actor=by,
        object_type="ChurnPolicy",
        object_id=row.version,
        detail={"note": note, "previous_version": current.version},
    )
    return Policy(row.version, row.rules)
