"""Greeting dates for any year: the festivals a Chinese bank greets on, and birthdays kept by the
solar or the lunar calendar (docs/greetings.md).

`chinesecalendar` stops at 2026, so lunar dates come from `lunardate`, which covers lunar years
1900–2099. Two rules make a lunar birthday exist every year:

* born in a leap month (闰月): the leap month when the year has that same leap month, otherwise
  the ordinary month of the same number;
* born on day 30: day 29 when that month is short (29 days) in the year.

A solar birthday on 29 February falls on 28 February in common years.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from lunardate import LunarDate

FIRST_LUNAR_YEAR, LAST_LUNAR_YEAR = 1900, 2099

# code -> (calendar, month, day); the order is the calendar year's.
FESTIVALS: dict[str, tuple[str, int, int]] = {
    "new_year": ("solar", 1, 1),  # 元旦
    "spring_festival": ("lunar", 1, 1),  # 春节
    "lantern": ("lunar", 1, 15),  # 元宵节
    "dragon_boat": ("lunar", 5, 5),  # 端午节
    "mid_autumn": ("lunar", 8, 15),  # 中秋节
    "double_ninth": ("lunar", 9, 9),  # 重阳节
    "national_day": ("solar", 10, 1),  # 国庆节
}


def _lunar_month_start(year: int, month: int, leap: bool) -> dt.date:
    return LunarDate(year, month, 1, leap).to_solar_date()


def lunar_month_length(year: int, month: int, leap: bool = False) -> int:
    """29 or 30: the days from this lunar month's first day to the next one's."""
    if leap and LunarDate.leap_month_for_year(year) != month:
        raise ValueError(f"lunar year {year} has no leap month {month}")
    if not leap and LunarDate.leap_month_for_year(year) == month:
        following = _lunar_month_start(year, month, True)
    elif month == 12:
        following = _lunar_month_start(year + 1, 1, False)
    else:
        following = _lunar_month_start(year, month + 1, False)
    return (following - _lunar_month_start(year, month, leap)).days


def lunar_to_solar(year: int, month: int, day: int, leap: bool = False) -> dt.date:
    """The solar date of a lunar (month, day) in lunar `year`, with the leap-month and day-30 rules."""
    if not FIRST_LUNAR_YEAR <= year <= LAST_LUNAR_YEAR:
        raise ValueError(f"lunar year {year} is outside {FIRST_LUNAR_YEAR}–{LAST_LUNAR_YEAR}")
    leap = leap and LunarDate.leap_month_for_year(year) == month
    day = min(day, lunar_month_length(year, month, leap))
    return LunarDate(year, month, day, leap).to_solar_date()


@lru_cache(maxsize=65536)
def _lunar_of(birth: dt.date) -> tuple[int, int, bool]:
    lunar = LunarDate.from_solar_date(birth.year, birth.month, birth.day)
    return lunar.month, lunar.day, bool(lunar.is_leap_month)


def _solar_on(year: int, month: int, day: int) -> dt.date:
    if month == 2 and day == 29:
        try:
            return dt.date(year, 2, 29)
        except ValueError:
            return dt.date(year, 2, 28)
    return dt.date(year, month, day)


def _years(start: dt.date, end: dt.date) -> range:
    # A lunar year starts in January or February of its solar year, so lunar year Y - 1 can still
    # have dates in solar year Y: one year earlier covers them.
    return range(max(start.year - 1, FIRST_LUNAR_YEAR), min(end.year, LAST_LUNAR_YEAR) + 1)


def festivals_between(start: dt.date, end: dt.date) -> list[tuple[str, dt.date]]:
    """(code, date) of every festival from `start` to `end` inclusive, by date."""
    found = []
    for year in _years(start, end):
        for code, (calendar, month, day) in FESTIVALS.items():
            on = _solar_on(year, month, day) if calendar == "solar" else lunar_to_solar(year, month, day)
            if start <= on <= end:
                found.append((code, on))
    return sorted(set(found), key=lambda item: (item[1], item[0]))


def anniversaries_between(first: dt.date, start: dt.date, end: dt.date, *, lunar: bool = False) -> list[dt.date]:
    """The anniversaries of `first` (a birth date, a first day with the bank) from `start` to `end`
    inclusive, by the lunar or the solar calendar; never `first` itself or earlier."""
    if lunar:
        month, day, leap = _lunar_of(first)
        dates = {lunar_to_solar(year, month, day, leap) for year in _years(start, end)}
    else:
        dates = {_solar_on(year, first.month, first.day) for year in range(start.year, end.year + 1)}
    return sorted(on for on in dates if start <= on <= end and on > first)
