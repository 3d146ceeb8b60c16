"""Moderation rules as small pure pieces: quiet hours and the per-channel send rate.

The frequency cap and de-duplication need the outbox, so they are queries in `dispatch`.
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class QuietHours:
    """A daily window in the bank's time zone in which nothing is sent; `start` > `end` spans midnight
    (21:00–08:00). Equal start and end: no quiet hours."""

    start: dt.time
    end: dt.time
    zone: zoneinfo.ZoneInfo

    @classmethod
    def parse(cls, text: str, zone: str) -> QuietHours:
        """ "21:00-08:00" (or "" / "off" for none) in the time zone named `zone`."""
        if text.strip().lower() in {"", "off", "none"}:
            return cls(dt.time(0), dt.time(0), zoneinfo.ZoneInfo(zone))
        try:
            start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError:
            raise ValueError(f"quiet hours {text!r}: write HH:MM-HH:MM, e.g. 21:00-08:00") from None
        return cls(start, end, zoneinfo.ZoneInfo(zone))

    def _inside(self, clock: dt.time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def resume_at(self, moment: dt.datetime) -> dt.datetime | None:
        """When a message due at `moment` (aware) may go: None when it may go now, else the end of
        the quiet window it falls in (08:00 the same morning after midnight, the next morning before)."""
        local = moment.astimezone(self.zone)
        clock = local.time().replace(tzinfo=None)
        if not self._inside(clock):
            return None
        day = local.date()
        if self.start > self.end and clock >= self.start:
            day += dt.timedelta(days=1)  # the evening side of a window across midnight
        return dt.datetime.combine(day, self.end, tzinfo=self.zone)


@dataclass
class Pacer:
    """At most `rate` messages per second on each channel: waits before a send that would go faster.

    One sender runs at a time (the run lock), so this rate holds for the whole bank. `clock` and
    `sleep` are injectable so the rule is tested without waiting."""

    rates: dict[str, float]
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _next: dict[str, float] = field(default_factory=dict)

    def wait(self, channel: str) -> float:
        """Block until `channel` may send again; returns the seconds waited."""
        rate = self.rates.get(channel, 0)
        if rate <= 0:  # 0: no limit
            return 0.0
        now = self.clock()
        due = self._next.get(channel, now)
        waited = max(0.0, due - now)
        if waited:
            self.sleep(waited)
        self._next[channel] = max(due, now) + 1.0 / rate
        return waited
