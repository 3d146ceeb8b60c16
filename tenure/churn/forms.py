"""The churn-policy editors' forms: severity grid, alert deadline and routing, let-go policy
(`ChurnPolicyForm`), and the signal thresholds (`SignalThresholdsForm`).

Each form carries over what it does not show from the version in force (saving never drops a rule
the page does not show); `rules.validate_policy` has the last word.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenure.analytics.models import AssetTier, ValueLevel
from tenure.churn.models import CAUSES
from tenure.churn.rules import PolicyError, validate_policy
from tenure.churn.thresholds import (
    ORDERED,
    PERCENT,
    SEVERITY,
    THRESHOLDS,
    TIMES,
    WHOLE,
    YUAN,
    Threshold,
)
from tenure.complaints.models import Severity
from tenure.complaints.selectors import SEVERITY_RANK
from tenure.core.formfields import MoneyField, PercentField

TICKS = forms.CheckboxSelectMultiple


class ChurnPolicyForm(forms.Form):
    high = PercentField(label=_("High: churn probability of at least (%)"), min_value=Decimal("0.01"), max_value=1)
    medium = PercentField(label=_("Medium: churn probability of at least (%)"), min_value=Decimal("0.01"), max_value=1)
    value_at_risk_high = MoneyField(
        label=_("High from the medium probability when the value at risk reaches (yuan)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Value at risk = churn probability × the customer's yearly contribution."),
    )
    sla_working_days = forms.IntegerField(label=_("An alert is due within (working days)"), min_value=1, max_value=30)
    key_tiers = forms.MultipleChoiceField(
        label=_("Alerts of these tiers go to the branch head too"),
        choices=AssetTier.choices,
        widget=TICKS,
        required=False,
    )
    low_levels = forms.MultipleChoiceField(
        label=_("Rate-hoppers of these value levels may be let go"),
        choices=ValueLevel.choices,
        widget=TICKS,
        required=False,
    )
    high_levels = forms.MultipleChoiceField(
        label=_("Rate-hoppers of these value levels get preferential terms"),
        choices=ValueLevel.choices,
        widget=TICKS,
        required=False,
    )
    long_tenure_years = forms.IntegerField(
        label=_("… when they have banked with us for at least (years)"), min_value=0, max_value=50
    )
    note = forms.CharField(label=_("Reason for the change"), max_length=200)

    def __init__(self, data: Mapping[str, Any] | None = None, *, rules: dict[str, Any], **kwargs: Any) -> None:
        """`rules` is the policy in force: the initial values and the base the edited policy is built on."""
        self.base_rules = rules
        grid, alerts, policy = rules["severity"], rules["alerts"], rules["policy"]
        initial = {
            "high": Decimal(str(grid["high"])),
            "medium": Decimal(str(grid["medium"])),
            "value_at_risk_high": Decimal(str(grid["value_at_risk_high"])),
            "sla_working_days": alerts["sla_working_days"],
            "key_tiers": alerts["key_tiers"],
            "low_levels": policy["low_levels"],
            "high_levels": policy["high_levels"],
            "long_tenure_years": policy["long_tenure_years"],
        }
        super().__init__(data, initial=initial, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        try:
            data["rules"] = validate_policy(self._rules(data))
        except PolicyError as exc:
            raise forms.ValidationError(_message(exc)) from exc
        return data

    def _rules(self, data: dict[str, Any]) -> dict[str, Any]:
        rules = copy.deepcopy(self.base_rules)
        rules["severity"].update(
            high=float(data["high"]), medium=float(data["medium"]), value_at_risk_high=float(data["value_at_risk_high"])
        )
        rules["alerts"].update(sla_working_days=data["sla_working_days"], key_tiers=list(data["key_tiers"]))
        rules["policy"].update(
            low_levels=list(data["low_levels"]),
            high_levels=list(data["high_levels"]),
            long_tenure_years=data["long_tenure_years"],
        )
        return rules


def _message(exc: PolicyError) -> str:
    """The page's words for a refused policy (the error's field names the rule)."""
    messages = {
        "severity.medium": _("The medium probability must be below the high one."),
        "policy.high_levels": _("A value level cannot be both let go and kept with preferential terms."),
    }
    return str(messages.get(exc.field, _("This policy cannot be used: %(why)s") % {"why": exc.message}))


def _threshold_field(t: Threshold) -> forms.Field:
    """The form field of one threshold, in the unit staff type (%, yuan, days …)."""
    if t.kind == PERCENT:
        return PercentField(label=t.label, min_value=Decimal(str(t.low)), max_value=Decimal(str(t.high)))
    if t.kind == YUAN:
        return MoneyField(label=t.label, min_value=t.low, max_value=t.high, max_digits=14, decimal_places=2)
    if t.kind == TIMES:
        return forms.DecimalField(label=t.label, min_value=t.low, max_value=t.high, max_digits=5, decimal_places=1)
    if t.kind == SEVERITY:
        labels = dict(Severity.choices)
        ranks = [(rank, labels[code]) for code, rank in SEVERITY_RANK.items() if t.low <= rank <= t.high]
        return forms.TypedChoiceField(label=t.label, choices=ranks, coerce=int)
    return forms.IntegerField(label=t.label, min_value=int(t.low), max_value=int(t.high))


class SignalThresholdsForm(forms.Form):
    """The signal thresholds of the churn policy (`thresholds.THRESHOLDS`); severity, routing and the
    let-go policy of the version in force are carried over unchanged."""

    def __init__(self, data: Mapping[str, Any] | None = None, *, rules: dict[str, Any], **kwargs: Any) -> None:
        self.base_rules = rules
        signals = rules["signals"]
        initial = {t.field: signals[t.signal][t.name] for t in THRESHOLDS}
        super().__init__(data, initial=initial, **kwargs)
        for t in THRESHOLDS:
            self.fields[t.field] = _threshold_field(t)
        self.fields["note"] = forms.CharField(label=_("Reason for the change"), max_length=200)

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """(signal's name, its fields) in the table's order, for the page."""
        out: dict[str, list[forms.BoundField]] = {}
        for t in THRESHOLDS:
            out.setdefault(t.signal, []).append(self[t.field])
        return [(str(CAUSES[signal]), fields) for signal, fields in out.items()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        for signal, lower, higher, words in ORDERED:
            if data[f"{signal}__{lower}"] > data[f"{signal}__{higher}"]:
                self.add_error(f"{signal}__{higher}", words)
        if self.errors:
            return data
        rules = copy.deepcopy(self.base_rules)
        for t in THRESHOLDS:
            value = data[t.field]
            rules["signals"][t.signal][t.name] = int(value) if t.kind in (WHOLE, SEVERITY) else float(value)
        try:
            data["rules"] = validate_policy(rules)
        except PolicyError as exc:
            raise forms.ValidationError(_message(exc)) from exc
        return data
