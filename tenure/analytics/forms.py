"""The tier-rules editor's form: asset-tier thresholds, basis, downgrade margin and pyramid shares.

Only these rules are edited here; margins and the rest of the stored version are carried over
unchanged, so saving from this page never drops a rule it does not show.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenure.analytics.charts import LEVEL_LABELS, tier_label
from tenure.analytics.config import LEVEL_ORDER, TIER_ORDER, ConfigError, validate_rules
from tenure.core.formfields import MoneyField, PercentField

THRESHOLD_TIERS = TIER_ORDER[:-1]
BASIS_CHOICES = [
    ("avg_daily_aum_3m", _("3-month average daily AUM")),
    ("aum", _("AUM on the business date")),
]


class TierRulesForm(forms.Form):
    basis = forms.ChoiceField(label=_("Tier basis"), choices=BASIS_CHOICES)
    downgrade_margin = PercentField(
        label=_("Downgrade warning margin (%)"),
        min_value=0,
        max_value=Decimal("0.9999"),
        help_text=_("Warn when the basis is less than this share above the tier's threshold and falling."),
    )
    note = forms.CharField(label=_("Reason for the change"), max_length=200, required=False)

    def __init__(self, data: Mapping[str, Any] | None = None, *, rules: dict[str, Any], **kwargs: Any) -> None:
        """`rules` is the active version: the initial values and the base the edited rules are built on."""
        self.base_rules = rules
        initial = {
            "basis": rules["tiers"]["basis"],
            "downgrade_margin": Decimal(rules["tiers"]["downgrade_margin"]),
            **{f"min_{t}": Decimal(rules["tiers"]["thresholds"][t]) for t in THRESHOLD_TIERS},
            **{f"share_{v}": Decimal(int(rules["pyramid_bp"][v])) / 100 for v in LEVEL_ORDER},
        }
        super().__init__(data, initial=initial, **kwargs)
        for tier in THRESHOLD_TIERS:
            self.fields[f"min_{tier}"] = MoneyField(
                label=tier_label(tier), min_value=Decimal("0.01"), max_digits=18, decimal_places=2
            )
        for level in LEVEL_ORDER:
            self.fields[f"share_{level}"] = forms.DecimalField(
                label=LEVEL_LABELS[level], min_value=Decimal("0.01"), max_value=100, decimal_places=2
            )

    def threshold_fields(self) -> list[forms.BoundField]:
        return [self[f"min_{t}"] for t in THRESHOLD_TIERS]

    def share_fields(self) -> list[forms.BoundField]:
        return [self[f"share_{v}"] for v in LEVEL_ORDER]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns (typed as maybe None, for overrides)
        if self.errors:
            return data
        mins = [data[f"min_{t}"] for t in THRESHOLD_TIERS]
        if any(a <= b for a, b in zip(mins, mins[1:], strict=False)):
            raise forms.ValidationError(_("Thresholds must decrease from Diamond to Gold."))
        if sum(data[f"share_{v}"] for v in LEVEL_ORDER) != 100:
            raise forms.ValidationError(_("Pyramid shares must add up to 100%."))
        try:
            data["rules"] = validate_rules(self._rules(data))
        except ConfigError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data

    def _rules(self, data: dict[str, Any]) -> dict[str, Any]:
        rules = copy.deepcopy(self.base_rules)
        rules["tiers"]["basis"] = data["basis"]
        rules["tiers"]["downgrade_margin"] = _plain(data["downgrade_margin"])
        rules["tiers"]["thresholds"] = {t: _plain(data[f"min_{t}"]) for t in THRESHOLD_TIERS}
        rules["pyramid_bp"] = {v: int(data[f"share_{v}"] * 100) for v in LEVEL_ORDER}
        return rules


def _plain(value: Decimal) -> str:
    """ "300000" rather than "300000.00" or "3E+5", as the stored rules write numbers."""
    return format(value.normalize(), "f")
