"""Figures as a Chinese (or English) banker reads them: ¥ with separators, 万/亿 headlines, signed
percentages, and figures that carry their unit into a page and an XLSX export.

A report puts `Percent(0.9885)` or `Yuan(12345.6)` in a table row instead of a bare float: the page
prints it as the reader expects (98.9%, ¥12,346), and the export (`tenure.core.downloads`, through
`spreadsheet_cell`) writes the number itself with a number format, so a rate stays a number a
spreadsheet can sum and shows no float artefacts (0.9985000000000001). The template filters of the
same names (`tenure_fmt`) are these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import get_language

_ZH_UNITS = ((Decimal("100000000"), "亿"), (Decimal("10000"), "万"))
_EN_UNITS = ((Decimal("1000000000"), "B"), (Decimal("1000000"), "M"))


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def yuan(value, places: int = 2) -> str:
    """¥1,234,567.89 — full amount with thousands separators (tables, exports)."""
    amount = _decimal(value)
    if amount is None:
        return ""
    quantum = Decimal(1).scaleb(-int(places))
    sign = "-" if amount < 0 else ""
    # Comma thousands and a point: the convention for ¥ amounts in Chinese and in English alike.
    return f"{sign}¥{abs(amount).quantize(quantum, ROUND_HALF_UP):,.{int(places)}f}"


def yuan_short(value) -> str:
    """Headline amounts: ¥1.23亿 / ¥456.78万 in Chinese, ¥1.23B / ¥4.57M in English."""
    amount = _decimal(value)
    if amount is None:
        return ""
    units = _ZH_UNITS if (get_language() or "zh-hans").startswith("zh") else _EN_UNITS
    for size, suffix in units:
        if abs(amount) >= size:
            sign = "-" if amount < 0 else ""
            return f"{sign}¥{(abs(amount) / size).quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}{suffix}"
    return yuan(amount, 0)


def signed_yuan_short(value) -> str:
    amount = _decimal(value)
    if amount is None:
        return ""
    return ("+" if amount > 0 else "") + yuan_short(amount)


def pct(value, places: int = 1) -> str:
    """A signed percentage; a change too small for `places` gets one more place rather than
    reading "-0.0%" (a fall of 0.04% on a large branch)."""
    if value is None:
        return "—"
    places = next((p for p in range(int(places), 5) if round(value, p)), int(places))
    shown = round(value, places) or 0  # no negative zero
    return f"{'+' if shown > 0 else ''}{number_format(shown, places)}%"


@dataclass(frozen=True)
class Percent:
    """A share or rate held as a fraction (0.9885), shown as a percentage (98.9%)."""

    fraction: float | None
    places: int = 1

    def __str__(self) -> str:
        if self.fraction is None:
            return "—"
        return f"{number_format(round(100 * float(self.fraction), self.places), self.places)}%"

    def spreadsheet_cell(self) -> tuple[float | None, str]:
        value = None if self.fraction is None else round(float(self.fraction), self.places + 2)
        return value, "0." + "0" * self.places + "%" if self.places else "0%"


@dataclass(frozen=True)
class Yuan:
    """An amount in yuan, shown with separators and no cents (¥12,346) unless `places` says."""

    amount: float | Decimal | None
    places: int = 0

    def __str__(self) -> str:
        return "—" if self.amount is None else yuan(self.amount, self.places)

    def spreadsheet_cell(self) -> tuple[float | None, str]:
        value = None if self.amount is None else round(float(self.amount), self.places)
        return value, '"¥"#,##0' + ("." + "0" * self.places if self.places else "")
