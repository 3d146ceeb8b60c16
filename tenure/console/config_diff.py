"""Who changed which rule: each version of a `VersionedRules` set against the one before, as rows.

Rules are nested JSON; a row is one leaf ("tiers › thresholds › 钻石") with its value before and
after. Path parts that are codes of the app (tiers, value levels, roles, task sources) read as labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Choices
from django.utils.translation import gettext_lazy as _

from tenure.analytics.models import AssetTier, ValueLevel
from tenure.console.selectors import rules_models
from tenure.core.models import VersionedRules
from tenure.engagement.models import Source
from tenure.org.models import Role

MISSING = object()
LABELLED: tuple[type[Choices], ...] = (AssetTier, ValueLevel, Role, Source)
VERSIONS_SHOWN = 20


@dataclass(frozen=True)
class Change:
    key: str
    before: str
    after: str


@dataclass(frozen=True)
class VersionRow:
    version: VersionedRules
    changes: list[Change]


@dataclass(frozen=True)
class RuleSet:
    title: str
    count: int
    versions: list[VersionRow]


def _label(part: str) -> str:
    for choices in LABELLED:
        if part in choices.values:
            return str(choices(part).label)
    return part.replace("_", " ")


def _flat(value: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    if isinstance(value, dict) and value:
        out: dict[tuple[str, ...], Any] = {}
        for key, inner in value.items():
            out.update(_flat(inner, (*prefix, str(key))))
        return out
    return {prefix: value}


def _shown(value: Any) -> str:
    if value is MISSING:
        return "—"
    if isinstance(value, list):
        return ", ".join(_label(str(v)) for v in value) or "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, str):
        return _label(value) if value in {v for c in LABELLED for v in c.values} else value
    return "—" if value is None else str(value)


def _key(path: tuple[str, ...]) -> str:
    return " › ".join(_label(part) for part in path) or str(_("rules"))


def rules_diff(before: Any, after: Any) -> list[Change]:
    """The leaves that differ between two rule sets, in the newer one's order (removed ones last)."""
    old, new = _flat(before or {}), _flat(after or {})
    keys = list(new) + [k for k in old if k not in new]
    return [
        Change(
            " › ".join(_label(p) for p in key) or str(_("rules")),
            _shown(old.get(key, MISSING)),
            _shown(new.get(key, MISSING)),
        )
        for key in keys
        if old.get(key, MISSING) != new.get(key, MISSING)
    ]


def rule_sets() -> list[RuleSet]:
    """Every rule set with its newest versions, each compared with the version before it (the first
    version has nothing to compare with)."""
    sets = []
    for model in rules_models():
        rows = list(model._default_manager.select_related("created_by").order_by("-version")[: VERSIONS_SHOWN + 1])
        versions = [
            VersionRow(row, rules_diff(rows[i + 1].rules, row.rules) if i + 1 < len(rows) else [])
            for i, row in enumerate(rows[:VERSIONS_SHOWN])
        ]
        sets.append(RuleSet(str(model._meta.verbose_name), model._default_manager.count(), versions))
    return sets
