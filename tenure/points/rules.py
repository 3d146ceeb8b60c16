"""The points earning table (docs/points.md) as versioned configuration.

The source table survives only as scattered cells (see docs/points.md for every cell and how it is
read here). Read as: a merchant earns 1 point for every `yuan_per_point` of cumulative card volume
that was not capped, and 1 point for every `capped_txns_per_point` transactions whose fee hit the
merchant's per-transaction cap. A category's row applies unless the merchant's cap has a row of its
own (`caps`: wholesale capped at 26 or 30 yuan, cars & property at 35 or 40). A merchant with a
negotiated discount rate below `preferential_below` (0.08 %) earns by `preferential_yuan_per_point`
instead, whatever its category. Points are valid for `expiry_months` after the business date they
were earned.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tenure.core.audit import audit
from tenure.customers.models import MerchantCategory
from tenure.points.models import PointsRules

# The whole table, the five cells after its page break included (docs/points.md, cell by cell):
# version 1 of a new bank, and the version migration 0002 adds after the first reading.
DEFAULT_RULES: dict[str, Any] = {
    "categories": {
        "general": {"yuan_per_point": "10000", "capped_txns_per_point": None},
        "wholesale": {"yuan_per_point": "10000", "capped_txns_per_point": 5},
        "dining": {"yuan_per_point": "15000", "capped_txns_per_point": None},
        "auto_realty": {"yuan_per_point": "25000", "capped_txns_per_point": 15},
        "livelihood": {"yuan_per_point": "25000", "capped_txns_per_point": 7},
    },
    "caps": {
        "wholesale": {
            "26": {"yuan_per_point": "10000", "capped_txns_per_point": 5},
            "30": {"yuan_per_point": "25000", "capped_txns_per_point": 5},
        },
        "auto_realty": {
            "35": {"yuan_per_point": "25000", "capped_txns_per_point": 15},
            "40": {"yuan_per_point": "25000", "capped_txns_per_point": 3},
        },
    },
    "preferential_below": "0.0800",
    "preferential_yuan_per_point": "60000",
    "expiry_months": 24,
}


@dataclass(frozen=True)
class Rules:
    version: int
    rules: dict[str, Any]

    def _row(self, category: str, cap: Decimal | None) -> dict[str, Any]:
        """The cap's own row when the table has one, else the category's."""
        return self.rules.get("caps", {}).get(category, {}).get(_cap_key(cap), self.rules["categories"][category])

    def yuan_per_point(self, category: str, discount_rate: Decimal, cap: Decimal | None = None) -> Decimal:
        # Through str: a rules file may give JSON numbers, and Decimal(0.08) is not 0.08.
        if discount_rate < Decimal(str(self.rules["preferential_below"])):
            return Decimal(str(self.rules["preferential_yuan_per_point"]))
        return Decimal(str(self._row(category, cap)["yuan_per_point"]))

    def capped_txns_per_point(self, category: str, cap: Decimal | None = None) -> int | None:
        return self._row(category, cap)["capped_txns_per_point"]

    @property
    def expiry_months(self) -> int:
        return int(self.rules["expiry_months"])


def _cap_key(cap: Decimal | None) -> str:
    """A cap in yuan as the table's key: 26.00 → "26"."""
    return format(Decimal(str(cap)).normalize(), "f") if cap is not None else ""


def active_rules() -> Rules:
    """The latest version; version 1 (the defaults) is created on first use."""
    row = PointsRules.objects.order_by("-version").first()
    if row is None:
        row, _ = PointsRules.objects.get_or_create(version=1, defaults={"rules": copy.deepcopy(DEFAULT_RULES)})
    return Rules(version=row.version, rules=row.rules)


def _positive(value: Any, where: str, *, fen: bool = False) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(f"{where}: not a number: {value!r}") from None
    if not number.is_finite() or number <= 0:
        raise ValidationError(f"{where}: must be greater than 0, got {value!r}")
    # Yuan per point is taken out of a carry kept to the fen: a finer amount would be rounded away.
    exponent = number.normalize().as_tuple().exponent  # an int: the number is finite
    if fen and isinstance(exponent, int) and exponent < -2:
        raise ValidationError(f"{where}: at most 2 decimals (fen), got {value!r}")
    return number


def _validate_row(rule: Any, where: str) -> None:
    if not isinstance(rule, dict):
        raise ValidationError(f"{where}: an object with yuan_per_point and capped_txns_per_point")
    _positive(rule.get("yuan_per_point"), f"{where}.yuan_per_point", fen=True)
    count = rule.get("capped_txns_per_point")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
        raise ValidationError(f"{where}.capped_txns_per_point: a whole number ≥ 1 or empty, got {count!r}")


def validate_rules(rules: dict[str, Any]) -> None:
    """Raise ValidationError naming the first bad field."""
    if not isinstance(rules, dict):
        raise ValidationError(f"rules: a JSON object is needed, got {type(rules).__name__}")
    categories = rules.get("categories")
    if not isinstance(categories, dict) or set(categories) != set(MerchantCategory.values):
        raise ValidationError(f"categories: one entry per category is needed: {', '.join(MerchantCategory.values)}")
    for name, rule in categories.items():
        _validate_row(rule, f"categories.{name}")
    caps = rules.get("caps", {})
    if not isinstance(caps, dict) or not set(caps) <= set(MerchantCategory.values):
        raise ValidationError(f"caps: an object of categories ({', '.join(MerchantCategory.values)})")
    for name, levels in caps.items():
        if not isinstance(levels, dict):
            raise ValidationError(f"caps.{name}: an object of caps in yuan, each with its row")
        for cap, rule in levels.items():
            _positive(cap, f"caps.{name}: the cap {cap!r}", fen=True)
            _validate_row(rule, f"caps.{name}.{cap}")
    _positive(rules.get("preferential_below"), "preferential_below")
    _positive(rules.get("preferential_yuan_per_point"), "preferential_yuan_per_point", fen=True)
    months = rules.get("expiry_months")
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 120:
        raise ValidationError(f"expiry_months: a whole number of months from 1 to 120, got {months!r}")


@transaction.atomic
def rules_save(*, rules: dict[str, Any], by=None, note: str = "") -> Rules:
    """Store `rules` as the next version (audited); it applies to business dates earned from now on."""
    validate_rules(rules)
    current = active_rules()
    row = PointsRules.objects.create(version=current.version + 1, rules=rules, note=note, created_by=by)
    audit(action="points.rules_save", actor=by, object_type="PointsRules", object_id=row.version, reason=note)
    return Rules(version=row.version, rules=row.rules)
