"""Business dates (month-ends), day numbers and the Chinese seasonal calendar.

Dates are handled as int days since 1970-01-01 (numpy ``datetime64[D]`` integers) so that every
per-row date computation stays vectorised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

# Spring Festival (春节, lunar new year's day). Spending, cash withdrawals and red-packet
# transfers peak in the month that contains it; year-end bonuses arrive the month before.
SPRING_FESTIVAL = {
    2015: dt.date(2015, 2, 19),
    2016: dt.date(2016, 2, 8),
    2017: dt.date(2017, 1, 28),
    2018: dt.date(2018, 2, 16),
    2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23),
    2032: dt.date(2032, 2, 11),
    2033: dt.date(2033, 1, 31),
    2034: dt.date(2034, 2, 19),
    2035: dt.date(2035, 2, 8),
}

EPOCH = dt.date(1970, 1, 1)


def day_number(value: dt.date) -> int:
    """Days since 1970-01-01."""
    return (value - EPOCH).days


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def month_end_after(value: dt.date, months: int) -> dt.date:
    """The month-end `months` months after the month of `value`."""
    total = value.year * 12 + value.month - 1 + months
    return month_end(total // 12, total % 12 + 1)


def is_month_end(value: dt.date) -> bool:
    return (value + dt.timedelta(days=1)).day == 1


def last_month_end_before(today: dt.date) -> dt.date:
    """The last month-end strictly before `today`."""
    return today.replace(day=1) - dt.timedelta(days=1)


def add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Day numbers shifted by whole months, clipped to the month's last day (like a term deposit)."""
    d = np.asarray(days).astype("datetime64[D]")
    month_start = d.astype("datetime64[M]")
    day_of_month = (d - month_start.astype("datetime64[D]")).astype(np.int64)
    target = month_start + np.asarray(months).astype("timedelta64[M]")
    last = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    shifted = target.astype("datetime64[D]") + day_of_month.astype("timedelta64[D]")
    return np.minimum(shifted, last).astype(np.int64)


def spring_festival_month(year: int) -> int:
    """Month (1 or 2) of the Spring Festival; February outside the table."""
    date = SPRING_FESTIVAL.get(year)
    return date.month if date else 2


@dataclass(frozen=True)
class Calendar:
    """The business dates of one run: ``months`` month-ends ending at ``end``."""

    end: dt.date
    months: int

    @property
    def dates(self) -> list[dt.date]:
        out = []
        year, month = self.end.year, self.end.month
        for _ in range(self.months):
            out.append(month_end(year, month))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return out[::-1]

    @property
    def ends(self) -> np.ndarray:
        """Day number of each business date (index m = 0 … months-1)."""
        return np.array([day_number(d) for d in self.dates], dtype=np.int64)

    @property
    def starts(self) -> np.ndarray:
        """First day of each month's period: the day after the previous business date."""
        return np.array([day_number(d.replace(day=1)) for d in self.dates], dtype=np.int64)

    @property
    def first_start(self) -> int:
        return int(self.starts[0])

    def month_of(self, days: np.ndarray) -> np.ndarray:
        """Month index of each day number: -1 before the first period, `months` after the last."""
        return np.searchsorted(self.ends, days, side="left").astype(np.int64) - (np.asarray(days) < self.starts[0])

    def season(self, m: int) -> dict[str, bool]:
        """Seasonal flags of month m: Spring Festival, the bonus month before it, quarter-end, Double 11."""
        date = self.dates[m]
        sf_month = spring_festival_month(date.year)
        next_year_sf = spring_festival_month(date.year + 1)
        bonus = (date.month == sf_month - 1) or (date.month == 12 and next_year_sf == 1)
        return {
            "spring_festival": date.month == sf_month,
            "bonus": bonus,
            "quarter_end": date.month in (3, 6, 9, 12),
            "double_eleven": date.month == 11,
        }
