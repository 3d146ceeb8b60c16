import datetime as dt

import pytest

from tenure.core.calendar import add_working_days, holidays_seed, is_working_day
from tenure.core.models import Holiday

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_knows_2026_national_day():
    assert holidays_seed() > 500
    assert holidays_seed() == 0
    assert Holiday.objects.get(day=dt.date(2026, 10, 1)).name == "国庆节"


def test_working_days_follow_the_official_calendar():
    holidays_seed()
    assert not is_working_day(dt.date(2026, 10, 5))  # Monday in the National Day holiday
    assert is_working_day(dt.date(2026, 10, 10))  # Saturday made a working day (调休)
    assert not is_working_day(dt.date(2026, 11, 28))  # an ordinary Saturday
    # From Tuesday 29 Sep: 30 Sep, then the 1–7 Oct holiday, then 8, 9 and Saturday 10 Oct (调休).
    assert add_working_days(dt.date(2026, 9, 29), 1) == dt.date(2026, 9, 30)
    assert add_working_days(dt.date(2026, 9, 29), 4) == dt.date(2026, 10, 10)


def test_later_years_are_editable():
    Holiday.objects.create(day=dt.date(2027, 2, 8), name="春节", is_working_day=False)
    assert not is_working_day(dt.date(2027, 2, 8))
    assert add_working_days(dt.date(2027, 2, 5), 1) == dt.date(2027, 2, 9)
