"""Time to a complaint's deadline reads in hours up to two days, then in whole days."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from tenure.complaints.display import Row
from tenure.complaints.models import Complaint

DEADLINE = dt.datetime(2026, 12, 1, 23, 59, tzinfo=dt.UTC)


def shown(hours_left: int, language: str = "en") -> str:
    row = Row(Complaint(), "王*", "", DEADLINE, hours_left < 0, hours_left)
    with translation.override(language):
        return render_to_string("complaints/_time_left.html", {"row": row}).split("<div")[0]


@pytest.mark.parametrize(
    ("hours_left", "text"),
    [
        (5, "5 h left"),
        (47, "47 h left"),
        (48, "2 days left"),
        (101, "4 days left"),
        (-3, "overdue 3 h"),
        (-47, "overdue 47 h"),
        (-2731, "overdue 113 days"),
    ],
)
def test_hours_then_days(hours_left, text):
    assert text in shown(hours_left)


def test_in_chinese():
    assert "已超时 113 天" in shown(-2731, "zh-hans")
    assert "剩余 5 小时" in shown(5, "zh-hans")
