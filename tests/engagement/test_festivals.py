"""Greeting dates for any year: festivals, lunar birthdays (leap month, day 30) and 29 February,
checked against published calendars (hand-copied dates), not against the library that computes them."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
from lunardate import LunarDate

from tenure.core.festivals import anniversaries_between, festivals_between, lunar_month_length, lunar_to_solar

D = dt.date

# Published dates (国务院/紫金山天文台 calendars) for three years beyond the holiday package's 2026.
PUBLISHED = {
    2027: {
        "spring_festival": D(2027, 2, 6),
        "lantern": D(2027, 2, 20),
        "dragon_boat": D(2027, 6, 9),
        "mid_autumn": D(2027, 9, 15),
        "double_ninth": D(2027, 10, 8),
    },
    2028: {
        "spring_festival": D(2028, 1, 26),
        "lantern": D(2028, 2, 9),
        "dragon_boat": D(2028, 5, 28),
        "mid_autumn": D(2028, 10, 3),
        "double_ninth": D(2028, 10, 26),
    },
    2029: {
        "spring_festival": D(2029, 2, 13),
        "lantern": D(2029, 2, 27),
        "dragon_boat": D(2029, 6, 16),
        "mid_autumn": D(2029, 9, 22),
        "double_ninth": D(2029, 10, 16),
    },
}


def test_festivals_of_three_future_years():
    for year, expected in PUBLISHED.items():
        found = dict(festivals_between(D(year, 1, 1), D(year, 12, 31)))
        assert found == {**expected, "new_year": D(year, 1, 1), "national_day": D(year, 10, 1)}


def test_festivals_are_inclusive_and_ordered():
    found = festivals_between(D(2028, 10, 1), D(2028, 10, 3))
    assert found == [("national_day", D(2028, 10, 1)), ("mid_autumn", D(2028, 10, 3))]
    assert festivals_between(D(2028, 10, 4), D(2028, 10, 25)) == []


def test_a_leap_month_birthday_falls_on_the_ordinary_month_unless_the_year_has_that_leap_month():
    born = D(2020, 5, 23)  # 闰四月初一, lunar year 2020
    assert anniversaries_between(born, D(2021, 1, 1), D(2021, 12, 31), lunar=True) == [D(2021, 5, 12)]  # 四月初一
    in_2058 = anniversaries_between(born, D(2058, 1, 1), D(2058, 12, 31), lunar=True)  # 2058 has a 闰四月
    assert in_2058 == [LunarDate(2058, 4, 1, True).to_solar_date()]
    assert in_2058[0] > LunarDate(2058, 4, 1).to_solar_date()  # the leap month, not the ordinary one


def test_a_day_30_birthday_falls_on_day_29_in_a_short_month():
    born = D(2019, 2, 4)  # 除夕, 腊月三十 of lunar 2018
    assert anniversaries_between(born, D(2020, 1, 1), D(2020, 12, 31), lunar=True) == [D(2020, 1, 24)]  # 30 days
    assert anniversaries_between(born, D(2026, 1, 1), D(2026, 12, 31), lunar=True) == [D(2026, 2, 16)]  # 29 days


def test_29_february_falls_on_28_february_in_common_years():
    assert anniversaries_between(D(2020, 2, 29), D(2027, 1, 1), D(2028, 12, 31)) == [D(2027, 2, 28), D(2028, 2, 29)]


def test_no_anniversary_on_or_before_the_day_itself():
    assert anniversaries_between(D(2026, 3, 1), D(2026, 1, 1), D(2026, 12, 31)) == []


@given(st.dates(D(1901, 3, 1), D(2090, 12, 31)), st.integers(1902, 2098))
def test_a_lunar_birthday_exists_once_in_every_lunar_year(born, year):
    lunar = LunarDate.from_solar_date(born.year, born.month, born.day)
    if year <= lunar.year:
        return
    on = lunar_to_solar(year, lunar.month, lunar.day, bool(lunar.is_leap_month))
    back = LunarDate.from_solar_date(on.year, on.month, on.day)
    assert (back.year, back.month) == (year, lunar.month)
    leap_that_year = bool(lunar.is_leap_month) and LunarDate.leap_month_for_year(year) == lunar.month
    assert bool(back.is_leap_month) == leap_that_year
    assert back.day == min(lunar.day, lunar_month_length(year, lunar.month, leap_that_year))
