"""The period of the insight pages (competitor comparison, evaluation dashboard): whole calendar
months from `?from=YYYY-MM` to `?to=YYYY-MM`, by default the twelve months ending this one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from tenure.performance.compute import Month

DEFAULT_MONTHS = 12
MAX_MONTHS = 36


@dataclass(frozen=True)
class Period:
    first: Month
    last: Month

    @classmethod
    def from_query(cls, query, today: dt.date | None = None) -> Period:
        """The months asked for; a missing or malformed bound falls back to the default, bounds in the
        wrong order are swapped and a period longer than MAX_MONTHS keeps its last MAX_MONTHS."""
        last = _month(query.get("to", "")) or Month.of(today or timezone.localdate())
        first = _month(query.get("from", "")) or last.back(DEFAULT_MONTHS - 1)
        if first.start > last.start:
            first, last = last, first
        if len(_range(first, last)) > MAX_MONTHS:
            first = last.back(MAX_MONTHS - 1)
        return cls(first, last)

    @property
    def start(self) -> dt.date:
        return self.first.start

    @property
    def end(self) -> dt.date:
        return self.last.end

    @property
    def months(self) -> list[Month]:
        return _range(self.first, self.last)

    @property
    def query(self) -> dict[str, str]:
        return {"from": self.first.label, "to": self.last.label}


def _month(text: str) -> Month | None:
    try:
        return Month.parse(text) if text else None
    except ValueError:
        return None


def _range(first: Month, last: Month) -> list[Month]:
    count = (last.start.year - first.start.year) * 12 + last.start.month - first.start.month
    return [last.back(k) for k in range(count, -1, -1)]
