"""The dates of a business date D's features (docs/features.md): month arithmetic and the month-end
balance partitions k months back. Kept apart from `features.py`, which needs Ibis, so that pages,
receivers and selectors that only count months load no engine (issue 27, a lighter start-up)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from tenure import lake


def month_index(day: dt.date) -> int:
    """Months since year 0: consecutive months differ by 1 (year·12 + month − 1)."""
    return day.year * 12 + day.month - 1


def month_end_back(day: dt.date, months: int) -> dt.date:
    """The last day of the calendar month `months` before `day`'s month."""
    index = month_index(day) - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, calendar.monthrange(year, month + 1)[1])


@dataclass(frozen=True)
class Dates:
    """D and the balance dates the features use: `months[k]` is the one k months before D."""

    day: dt.date
    months: dict[int, dt.date]

    @classmethod
    def for_day(cls, day: dt.date) -> Dates:
        by_month: dict[tuple[int, int], dt.date] = {}
        for path in lake.current_partitions("balances"):
            d = lake.partition_date(path)
            if d <= day:
                by_month[(d.year, d.month)] = max(d, by_month.get((d.year, d.month), d))
        months = {}
        for k in range(14):
            end = month_end_back(day, k) if k else day
            if (end.year, end.month) in by_month:
                months[k] = by_month[(end.year, end.month)]
        return cls(day=day, months=months)

    def window(self, first: int, last: int) -> list[dt.date]:
        """Balance dates from k=`first` to k=`last` months back that exist."""
        return [self.months[k] for k in range(first, last + 1) if k in self.months]

    def averaged(self, first: int, last: int) -> list[dt.date]:
        """The dates a k=`first`..`last` monthly mean sums over (D alone when none exist); its
        divisor is their number."""
        return self.window(first, last) or [self.day]
