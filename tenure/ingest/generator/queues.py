"""Branch queue tickets (取号机): who drew a ticket when, and how long they waited and were served.

Arrivals per sub-branch and hour are Poisson around a daily and hourly profile: an opening peak
and a lunch-hour peak (fewer windows open at lunch), Mondays and the first working day after a
holiday busier, and on weekends only some sub-branches open, shorter and quieter. The wait grows
with the hour's load (arrivals × service minutes against the windows open); a long wait makes some
customers walk away (no call, no finish). Sub-branches with a VIP window serve black-gold and
diamond customers (the generator's own wealth strata) with a fraction of the wait, so the queues
page has a difference to show (seed 002: separate service for different tiers).

Drawn from its own random stream, after every other one, so no other table changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import SERVICE_TYPES
from .bank import Branches
from .calendar import SPRING_FESTIVAL, Calendar, day_number
from .customers import Customers

OPEN_HOUR, CLOSE_HOUR = 9, 17  # weekdays; weekends 10–16
# Arrivals per hour of a weekday, before the branch's size: opening and lunch peaks.
HOURLY = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 4.0, 3.0, 2.6, 3.6, 3.2, 2.4, 2.6, 3.0, 0, 0, 0, 0, 0, 0, 0])
# Share of tickets per service type and their mean service minutes (SERVICE_TYPES order).
SERVICE_SHARE = np.array([0.34, 0.18, 0.14, 0.08, 0.12, 0.14])
SERVICE_MINUTES = np.array([5.0, 12.0, 18.0, 22.0, 9.0, 4.0])
TICKET_LETTERS = np.array(list("ABCDEF"))
KEY_STRATUM = 3  # black-gold and diamond
KEY_VISITS = 3.0  # how much more often a key customer draws a ticket than another customer of the branch
IDENTIFIED = 0.45  # share of tickets drawn with a card or ID (customer_no known)
WEEKDAY_FACTOR = np.array([1.35, 1.0, 0.95, 0.95, 1.1, 0.6, 0.5])  # Monday … Sunday


@dataclass
class Queues:
    """What stays fixed per sub-branch: size, windows, a VIP window, weekend opening."""

    weight: np.ndarray  # arrivals multiplier
    windows: np.ndarray  # counters open (one fewer at lunch)
    vip: np.ndarray  # has a VIP window for key customers
    weekend: np.ndarray  # opens on weekends
    codes: list[str]


def plan_queues(rng: np.random.Generator, branches: Branches) -> Queues:
    n = len(branches.sub)
    weight = np.clip(branches.sub_weight * n, 0.5, 2.0)
    return Queues(
        weight=weight,
        windows=np.clip(np.round(2 + weight + rng.random(n)), 2, 5).astype(np.int64),
        vip=rng.random(n) < 0.6,
        weekend=rng.random(n) < 0.4,
        codes=[branches.code[int(row)] for row in branches.sub],
    )


def _closed_days(years: set[int]) -> set[int]:
    """Public-holiday closures: Spring Festival week, May Day (1–5 May), National Day (1–7 Oct)."""
    days: set[int] = set()
    for year in years:
        festival = SPRING_FESTIVAL.get(year)
        if festival:
            days.update(day_number(festival) + k for k in range(-1, 6))
        days.update(day_number(dt.date(year, 5, 1)) + k for k in range(5))
        days.update(day_number(dt.date(year, 10, 1)) + k for k in range(7))
    return days


def queue_tickets_table(
    rng: np.random.Generator, q: Queues, c: Customers, cal: Calendar, m: int, key_vip_share: float = 0.2
) -> pa.Table:
    """Month m's tickets (the days after the previous business date up to this one)."""
    days = np.arange(int(cal.starts[m]), int(cal.ends[m]) + 1)
    closed = _closed_days({d.year for d in cal.dates} | {cal.dates[m].year - 1})
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    after_holiday = np.array([d not in closed and (d - 1) in closed for d in days.tolist()])
    is_open = np.array([d not in closed for d in days.tolist()])
    n_sub = len(q.codes)
    # cells: (day, sub-branch, hour)
    grid = np.meshgrid(np.arange(len(days)), np.arange(n_sub), np.arange(24), indexing="ij")
    day_i, sub_i, hour = (axis.ravel() for axis in grid)
    weekend = weekday[day_i] >= 5
    opened = is_open[day_i] & (HOURLY[hour] > 0) & (~weekend | (q.weekend[sub_i] & (hour >= 10) & (hour < 16)))
    day_factor = WEEKDAY_FACTOR[weekday[day_i]] * np.where(after_holiday[day_i], 1.5, 1.0)
    rate = np.where(opened, HOURLY[hour] * q.weight[sub_i] * day_factor, 0.0)
    counts = rng.poisson(rate)
    cell = np.repeat(np.arange(len(rate)), counts)
    n = len(cell)
    windows = q.windows[sub_i[cell]] - ((hour[cell] == 12) | (hour[cell] == 13))
    service = rng.choice(len(SERVICE_TYPES), size=n, p=SERVICE_SHARE)
    # Load of the hour: arrivals × mean service minutes per window-hour (ρ), waits grow as ρ/(1-ρ).
    load = np.minimum(counts[cell] * SERVICE_MINUTES.mean() / (60.0 * windows), 0.95)
    wait = rng.exponential(3.0 + 16.0 * load / (1.0 - load))
    # Who: a customer of the sub-branch onboarded by then, for the identified share.
    issued_day = days[day_i[cell]]
    issued = issued_day * 86_400 + hour[cell] * 3_600 + rng.integers(0, 3_600, n)
    customer = np.full(n, -1, dtype=np.int64)
    known = np.flatnonzero(rng.random(n) < IDENTIFIED)
    members = [np.flatnonzero(c.sub == s) for s in range(n_sub)]
    for s in range(n_sub):
        rows = known[sub_i[cell[known]] == s]
        if len(rows) and len(members[s]):
            # Wealthier customers come in more often (wealth products, large withdrawals).
            visits = np.where(c.stratum[members[s]] >= KEY_STRATUM, KEY_VISITS, 1.0)
            drawn = members[s][rng.choice(len(members[s]), len(rows), p=visits / visits.sum())]
            ok = c.onboard[drawn] <= issued_day[rows]
            customer[rows[ok]] = drawn[ok]
    key = np.zeros(n, dtype=bool)
    key[customer >= 0] = c.stratum[customer[customer >= 0]] >= KEY_STRATUM
    wait = np.where(key & q.vip[sub_i[cell]], wait * key_vip_share, wait)
    walked = rng.random(n) < np.clip((wait - 10.0) / 80.0, 0.0, 0.4)
    called = issued + np.round(wait * 60).astype(np.int64)
    served = np.round(rng.gamma(2.0, SERVICE_MINUTES[service] / 2.0) * 60).astype(np.int64) + 30
    finished = called + served
    # A day ends by midnight: an evening ticket never runs into the next business date.
    limit = issued_day * 86_400 + 86_399
    called = np.minimum(called, limit)
    finished = np.minimum(finished, limit)
    order = np.lexsort((issued, sub_i[cell], issued_day))
    return _table(q, order, sub_i[cell], issued_day, service, customer, c, issued, called, finished, walked)


def _table(
    q: Queues,
    order: np.ndarray,
    sub: np.ndarray,
    day: np.ndarray,
    service: np.ndarray,
    customer: np.ndarray,
    c: Customers,
    issued: np.ndarray,
    called: np.ndarray,
    finished: np.ndarray,
    walked: np.ndarray,
) -> pa.Table:
    sub, day, service, customer = sub[order], day[order], service[order], customer[order]
    issued, called, finished, walked = issued[order], called[order], finished[order], walked[order]
    # Ticket numbers run per sub-branch and day: the letter names the service, e.g. A007.
    group = sub.astype(np.int64) * 100_000 + (day - day.min() if len(day) else day)
    start = np.r_[0, np.flatnonzero(np.diff(group)) + 1] if len(group) else np.zeros(0, np.int64)
    seq = np.arange(len(group)) - np.repeat(start, np.diff(np.r_[start, len(group)]))
    number = pc.binary_join_element_wise(
        pa.array(TICKET_LETTERS[service]),
        pc.utf8_lpad(pc.cast(pa.array(seq + 1), pa.string()), width=3, padding="0"),
        "",
    )
    known = customer >= 0
    return pa.table(
        {
            "branch_code": pa.DictionaryArray.from_arrays(pa.array(sub.astype(np.int32)), pa.array(q.codes)),
            "ticket_no": number,
            "service_type": pa.DictionaryArray.from_arrays(pa.array(service.astype(np.int8)), pa.array(SERVICE_TYPES)),
            "customer_no": c.number.take(pa.array(np.where(known, customer, 0), mask=~known)),
            "issued_at": pa.array(issued, pa.timestamp("s")),
            "called_at": pa.array(called, pa.timestamp("s"), mask=walked),
            "finished_at": pa.array(finished, pa.timestamp("s"), mask=walked),
        }
    )
