"""What a scorecard shows: the additive sums and the ratios worked out from them.

`Totals` is any sum of scorecard rows (one RM, an RM's pool, a branch, the bank). Ratios are
computed from the sums at the level shown, never averaged from lower levels, so a branch's on-time
share is its alerts acted on in time over its alerts due, whatever its RMs' shares were.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from tenure.performance.models import ADDITIVE

MONEY = ("aum", "aum_previous")
FLOATS = ("resolve_hours", "satisfaction_sum")


@dataclass
class Totals:
    """Sums of scorecard figures (money in yuan) and the ratios shown beside them."""

    values: dict[str, Any] = field(default_factory=lambda: {name: _zero(name) for name in ADDITIVE})

    @classmethod
    def of(cls, rows: Iterable[Mapping[str, Any]]) -> Totals:
        totals = cls()
        for row in rows:
            totals.add(row)
        return totals

    def add(self, row: Mapping[str, Any]) -> None:
        for name in ADDITIVE:
            value = row.get(name) or 0
            self.values[name] += Decimal(value) if name in MONEY else value

    def __getattr__(self, name: str) -> Any:
        if name in ADDITIVE:
            return self.values[name]
        raise AttributeError(name)

    # --- ratios and changes ---
    @property
    def book_change(self) -> int:
        return self.values["book"] - self.values["book_previous"]

    @property
    def aum_change(self) -> Decimal:
        return self.values["aum"] - self.values["aum_previous"]

    @property
    def aum_growth(self) -> float | None:
        """AUM change over the previous month-end's AUM, %."""
        before = self.values["aum_previous"]
        return round(float(self.aum_change / before * 100), 2) if before else None

    @property
    def net_new(self) -> int:
        return self.values["new"] - self.values["lost"]

    @property
    def net_new_per_100(self) -> float | None:
        book = self.values["book"]
        return round(100 * self.net_new / book, 2) if book else None

    @property
    def retention(self) -> float | None:
        """Retained over retained + lost, %."""
        base = self.values["retained"] + self.values["lost"]
        return _pct(self.values["retained"], base)

    @property
    def alerts_on_time_pct(self) -> float | None:
        return _pct(self.values["alerts_on_time"], self.values["alerts_due"])

    @property
    def coverage_pct(self) -> float | None:
        return _pct(self.values["contacts_done"], self.values["contacts_required"])

    @property
    def tasks_on_time_pct(self) -> float | None:
        due = self.values["tasks_due"]
        return _pct(due - self.values["tasks_overdue"], due)

    @property
    def complaints_per_100(self) -> float | None:
        book = self.values["book"]
        return round(100 * self.values["complaints"] / book, 2) if book else None

    @property
    def resolve_hours_avg(self) -> float | None:
        n = self.values["complaints_resolved"]
        return round(self.values["resolve_hours"] / n, 1) if n else None

    @property
    def satisfaction(self) -> float | None:
        """Mean satisfaction answer, 0–10."""
        n = self.values["survey_answers"]
        return round(self.values["satisfaction_sum"] / n, 2) if n else None

    @property
    def nps(self) -> float | None:
        """100 × (promoters − detractors) / answers (docs/surveys.md)."""
        n = self.values["nps_answers"]
        return round(100 * (self.values["promoters"] - self.values["detractors"]) / n, 1) if n else None

    @property
    def products_per_100(self) -> float | None:
        book = self.values["book"]
        return round(100 * self.values["products_sold"] / book, 2) if book else None

    def as_json(self) -> dict[str, Any]:
        """Every sum and ratio, money as strings of yuan (exact), for the API and the awards' inputs."""
        out: dict[str, Any] = {
            n: (str(v) if n in MONEY else round(v, 2) if n in FLOATS else v) for n, v in self.values.items()
        }
        out |= {name: getattr(self, name) for name in DERIVED}
        out["aum_change"] = str(self.aum_change)
        return out


DERIVED = (
    "book_change",
    "aum_growth",
    "net_new",
    "net_new_per_100",
    "retention",
    "alerts_on_time_pct",
    "coverage_pct",
    "tasks_on_time_pct",
    "complaints_per_100",
    "resolve_hours_avg",
    "satisfaction",
    "nps",
    "products_per_100",
)


def _zero(name: str) -> Any:
    return Decimal("0.00") if name in MONEY else 0.0 if name in FLOATS else 0


def _pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# Figures with a drill-down to the customers behind them: key → (label, the line field that is > 0).
DRILLS: dict[str, tuple[Any, str]] = {
    "book": (_("Customers in the book"), "book"),
    "new": (_("New customers"), "new"),
    "lost": (_("Customers lost"), "lost"),
    "retained": (_("Customers retained"), "retained"),
    "alerts": (_("Churn alerts due"), "alerts_due"),
    "contacts": (_("Planned contacts"), "contacts_required"),
    "overdue": (_("Tasks overdue"), "tasks_overdue"),
    "complaints": (_("Complaints"), "complaints"),
    "surveys": (_("Survey answers"), "survey_answers"),
    "products": (_("Accounts opened"), "products_sold"),
    "offers": (_("Offers accepted"), "offers_accepted"),
}
