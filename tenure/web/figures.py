"""Figures that carry their unit, for the tables a page shows and an XLSX export writes.

A report puts `Percent(0.9885)` or `Yuan(12345.6)` in a table row instead of a bare float: the page
prints it as the reader expects (98.9%, ¥12,346), and the export (`tenure.core.downloads`, through
`spreadsheet_cell`) writes the number itself with a number format, so a rate stays a number a
spreadsheet can sum and shows no float artefacts (0.9985000000000001).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format

from tenure.web.templatetags.tenure_fmt import yuan


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
