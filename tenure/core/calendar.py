"""The Chinese working-day calendar (SLAs, greetings), kept in the `Holiday` table.

`chinesecalendar` only knows years up to 2026, so its data seeds the table once and later
years are entered by an administrator when the State Council publishes them.
"""

from __future__ import annotations

import datetime as dt

from chinese_calendar import constants

from tenure.core.models import Holiday

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def holidays_seed() -> int:
    """Insert the official holidays and make-up working days; existing rows are kept. Returns rows added."""
    rows = [
        Holiday(day=day, name=HOLIDAY_NAMES_ZH.get(name, name), is_working_day=False)
        for day, name in constants.holidays.items()
    ] + [
        Holiday(day=day, name=HOLIDAY_NAMES_ZH.get(name, name) + "调休", is_working_day=True)
        for day, name in constants.workdays.items()
    ]
    before = Holiday.objects.count()
    Holiday.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return Holiday.objects.count() - before


def _exceptions(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    return dict(Holiday.objects.filter(day__range=(start, end)).values_list("day", "is_working_day"))


def is_working_day(day: dt.date) -> bool:
    """Monday–Friday unless a holiday; weekend make-up days (调休) count as working days."""
    return _exceptions(day, day).get(day, day.weekday() < 5)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    exceptions = _exceptions(start, start + dt.timedelta(days=days * 3 + 30))
    current, remaining = start, days
    while remaining:
        current += dt.timedelta(days=1)
        if exceptions.get(current, current.weekday() < 5):
            remaining -= 1
    return current
