"""Versioned rules of the pipeline: asset-tier thresholds, contribution margins, pyramid shares.

Rules are JSON with money and rates as decimal strings (exact on every engine and database).
Versions are immutable: saving creates the next version, and every nightly output records the
version it used, so a tier shown on a page can always be explained by the rules of its day.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from tenure.analytics.models import AnalyticsConfig, AssetTier, ValueLevel
from tenure.core.audit import audit

AUM_PRODUCT_TYPES = ("current", "savings", "time_deposit", "wealth", "fund", "insurance")
PRODUCT_TYPES = (*AUM_PRODUCT_TYPES, "loan", "credit_card")
TIER_BASES = ("aum", "avg_daily_aum_3m")
# Highest first; the last tier ("standard") has no threshold.
TIER_ORDER = tuple(AssetTier.values)
LEVEL_ORDER = tuple(ValueLevel.values)

DEFAULT_RULES: dict[str, Any] = {
    "tiers": {
        # 3-month average daily AUM is the common bank rule: month-end window dressing does not promote.
        "basis": "avg_daily_aum_3m",
        "thresholds": {"diamond": "10000000", "black_gold": "1000000", "platinum": "300000", "gold": "100000"},
        # Warn when the basis is below threshold × (1 + margin) and lower than a month before.
        "downgrade_margin": "0.10",
    },
    "contribution": {
        # Annual margin on the 3-month average daily balance, per product type (deposit spread vs FTP,
        # wealth/fund/insurance fee rate, loan net spread, card revolving spread).
        "margins": {
            "current": "0.0200",
            "savings": "0.0150",
            "time_deposit": "0.0080",
            "wealth": "0.0050",
            "fund": "0.0060",
            "insurance": "0.0080",
            "loan": "0.0150",
            "credit_card": "0.0300",
        },
        # Issuer's interchange share of card purchase volume over 365 days.
        "card_interchange": "0.0045",
        # Yuan per customer per year: statements, branch and system cost.
        "service_cost": "50",
    },
    # Basis points of customers per level, top first; they must add up to 10000.
    "pyramid_bp": {"key": 100, "important": 1900, "ordinary": 3000, "small": 5000},
    "potential": {
        # A customer is a likely level riser when contribution reaches this fraction of the next cut-off.
        "level_proximity": "0.80",
    },
}


class ConfigError(ValueError):
    """Rules that would give wrong or ambiguous results."""


@dataclass(frozen=True)
class Config:
    version: int
    rules: dict[str, Any]

    @property
    def thresholds(self) -> list[tuple[str, Decimal]]:
        """(tier, minimum basis in yuan), highest tier first; `standard` has none."""
        values = self.rules["tiers"]["thresholds"]
        return [(tier, Decimal(values[tier])) for tier in TIER_ORDER[:-1]]


def validate_rules(rules: dict[str, Any]) -> dict[str, Any]:
    """Return the rules if usable, else raise ConfigError naming the field."""
    try:
        tiers = rules["tiers"]
        if tiers["basis"] not in TIER_BASES:
            raise ConfigError(f"tiers.basis must be one of {TIER_BASES}")
        mins = [Decimal(tiers["thresholds"][t]) for t in TIER_ORDER[:-1]]
        if any(a <= b for a, b in zip(mins, mins[1:], strict=False)) or mins[-1] <= 0:
            raise ConfigError("tiers.thresholds must be positive and strictly decreasing from diamond to gold")
        if not Decimal("0") <= Decimal(tiers["downgrade_margin"]) < Decimal("1"):
            raise ConfigError("tiers.downgrade_margin must be in [0, 1)")
        contribution = rules["contribution"]
        for product_type in PRODUCT_TYPES:
            Decimal(contribution["margins"][product_type])
        Decimal(contribution["card_interchange"])
        Decimal(contribution["service_cost"])
        shares = rules["pyramid_bp"]
        if any(int(shares[level]) <= 0 for level in LEVEL_ORDER) or sum(int(shares[v]) for v in LEVEL_ORDER) != 10000:
            raise ConfigError("pyramid_bp must be positive basis points per level adding up to 10000")
        Decimal(rules["potential"]["level_proximity"])
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"missing or malformed rule: {exc}") from exc
    except InvalidOperation as exc:
        raise ConfigError(f"not a decimal number: {exc}") from exc
    return rules


def active_config() -> Config:
    """The latest version; version 1 (the defaults) is created on first use."""
    row = AnalyticsConfig.objects.order_by("-version").first()
    if row is None:
        row, _ = AnalyticsConfig.objects.get_or_create(version=1, defaults={"rules": copy.deepcopy(DEFAULT_RULES)})
    return Config(version=row.version, rules=row.rules)


@transaction.atomic
def config_save(*, rules: dict[str, Any], by=None, note: str = "") -> Config:
    """Store `rules` as the next version (audited) and return it."""
    validate_rules(rules)
    current = active_config()
    row = AnalyticsConfig.objects.create(version=current.version + 1, rules=rules, note=note, created_by=by)
    audit(
        action="analytics.config_save",
        actor=by,
        object_type="AnalyticsConfig",
        object_id=row.version,
        detail={"note": note},
    )
    return Config(version=row.version, rules=row.rules)
