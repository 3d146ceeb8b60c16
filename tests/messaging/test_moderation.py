"""Quiet hours and the send rate as pure rules (no database, no waiting)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from tenure.messaging.dispatch import backoff
from tenure.messaging.moderation import Pacer, QuietHours

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, 1, day, hour, minute, tzinfo=SH)


@pytest.mark.parametrize(
    ("moment", "resume"),
    [
        (at(5, 20, 59), None),
        (at(5, 21, 0), at(6, 8)),
        (at(5, 23, 59), at(6, 8)),
        (at(6, 0, 0), at(6, 8)),
        (at(6, 7, 59), at(6, 8)),
        (at(6, 8, 0), None),
        (
            at(
                5,
                13,
                0,
            )
            .astimezone(dt.UTC)
            .replace(hour=14),
            at(6, 8),
        ),  # 14:00 UTC is 22:00 in Shanghai
    ],
)
def test_quiet_hours_across_midnight(moment, resume):
    assert QuietHours.parse("21:00-08:00", "Asia/Shanghai").resume_at(moment) == resume


def test_quiet_hours_within_a_day_and_off():
    lunch = QuietHours.parse("12:00-13:30", "Asia/Shanghai")
    assert lunch.resume_at(at(5, 12, 15)) == at(5, 13, 30)
    assert lunch.resume_at(at(5, 13, 30)) is None
    assert QuietHours.parse("off", "Asia/Shanghai").resume_at(at(5, 23)) is None
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        QuietHours.parse("9pm to 8am", "Asia/Shanghai")


def test_the_pacer_spaces_sends_per_channel():
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    pacer = Pacer({"sms": 4, "email": 0}, clock=lambda: now[0], sleep=sleep)
    assert [pacer.wait("sms") for _ in range(3)] == [0.0, 0.25, 0.25]
    assert pacer.wait("email") == 0.0 and pacer.wait("email") == 0.0  # no limit
    now[0] += 10  # idle: no catching up in a burst
    assert pacer.wait("sms") == 0.0 and pacer.wait("sms") == 0.25


def test_back_off_doubles_and_stops_at_a_day(settings):
    settings.MESSAGING_RETRY_SECONDS = 60
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(30) == dt.timedelta(hours=24)
