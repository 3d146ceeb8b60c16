"""The churn signals' thresholds in words: each parameter of `config.DEFAULTS["signals"]` with its
label, unit and allowed range (docs/churn.md § Signal thresholds).

One table serves the policy's validation (`rules.validate_policy`, whichever way a version is
saved) and the administrator's editor (`forms.SignalThresholdsForm`), so a page never offers a value
the rules would refuse. Shares are stored as fractions (0.3) and typed as percentages (30); money is
yuan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise  # the stubs' type of a lazy translation

PERCENT, YUAN, WHOLE, TIMES, SEVERITY = "percent", "yuan", "whole", "times", "severity"


@dataclass(frozen=True)
class Threshold:
    signal: str
    name: str
    # PERCENT (a fraction), YUAN, WHOLE (a whole number), TIMES, SEVERITY (a complaint severity's rank
    # in complaints.selectors.SEVERITY_RANK)
    kind: str
    label: _StrPromise
    low: float
    high: float

    @property
    def field(self) -> str:
        """The form field's name: signal and parameter."""
        return f"{self.signal}__{self.name}"


THRESHOLDS = (
    Threshold("aum_drop", "share", PERCENT, _("AUM fell since last month-end by at least (%)"), 0.01, 1),
    Threshold("aum_drop", "high_share", PERCENT, _("Rated high when it fell by at least (%)"), 0.01, 1),
    Threshold("aum_drop", "min_aum", YUAN, _("Only from an AUM at last month-end of at least (yuan)"), 0, 1e9),
    Threshold("competitor_maturity", "notice_days", WHOLE, _("A competitor product matures within (days)"), 1, 90),
    Threshold(
        "satisfaction_decline",
        "drop",
        WHOLE,
        _("The latest satisfaction score is below the previous one by at least (points of 0–10)"),
        1,
        10,
    ),
    Threshold("large_withdrawal", "amount", YUAN, _("One withdrawal or transfer out of at least (yuan)"), 1, 1e9),
    Threshold(
        "large_withdrawal",
        "min_amount",
        YUAN,
        _("… or of at least (yuan), when it is also a large share of AUM"),
        1,
        1e9,
    ),
    Threshold("large_withdrawal", "share_of_aum", PERCENT, _("… that share of last month's AUM (%)"), 0.01, 1),
    Threshold(
        "large_withdrawal",
        "vs_usual",
        TIMES,
        _("And at least this many times the customer's usual monthly outflow (times)"),
        1,
        100,
    ),
    Threshold("relocation", "days", WHOLE, _("The customer's city changed within the last (days)"), 1, 366),
    Threshold("rate_sensitive", "min_td", YUAN, _("Time deposits at last month-end of at least (yuan)"), 0, 1e9),
    Threshold("rate_sensitive", "td_share", PERCENT, _("Time deposits fell by at least (%)"), 0.01, 1),
    Threshold(
        "rate_sensitive",
        "outflow_share",
        PERCENT,
        _("And money left the bank: at least this share of the fall (%)"),
        0.01,
        1,
    ),
    Threshold(
        "dormant_payroll",
        "min_months",
        WHOLE,
        _("No payroll this month after payroll in at least (months of the previous 6)"),
        1,
        6,
    ),
    Threshold(
        "card_spend_collapse",
        "share",
        PERCENT,
        _("Card spending this month below this share of a usual month (%)"),
        0.01,
        1,
    ),
    Threshold(
        "card_spend_collapse",
        "min_monthly",
        YUAN,
        _("Only when a usual month's card spending is at least (yuan)"),
        0,
        1e9,
    ),
    Threshold(
        "complaint", "high_severity", SEVERITY, _("Rated high when an open complaint is at least this severe"), 2, 4
    ),
)
# Pairs (signal, lower parameter, higher parameter) that must not cross, with the page's words.
ORDERED = (
    ("aum_drop", "share", "high_share", _("The AUM fall rated high must be at least the fall that raises the signal.")),
    (
        "large_withdrawal",
        "min_amount",
        "amount",
        _("The smaller withdrawal amount (with a share of AUM) must not exceed the large one."),
    ),
)


class ThresholdError(ValueError):
    """A threshold that cannot be used: `field` is `signals.<signal>.<name>`, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _allowed(t: Threshold) -> str:
    number = {PERCENT: "a share (fraction)", WHOLE: "a whole number", SEVERITY: "a whole number"}.get(
        t.kind, "a number"
    )
    return f"{number} from {t.low:g} to {t.high:g}"


def validate_thresholds(signals: dict[str, Any]) -> None:
    """Raise ThresholdError for the first parameter out of its range or pair out of order."""
    for t in THRESHOLDS:
        value = signals.get(t.signal, {}).get(t.name)
        whole = t.kind in (WHOLE, SEVERITY)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or (whole and value != int(value)) or not t.low <= value <= t.high:
            raise ThresholdError(f"signals.{t.signal}.{t.name}", _allowed(t))
    for signal, lower, higher, _words in ORDERED:
        if signals[signal][lower] > signals[signal][higher]:
            raise ThresholdError(f"signals.{signal}.{higher}", f"at least {lower}")
