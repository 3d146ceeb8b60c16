"""The planted churn process (docs/generator.md) and the noise that keeps it from being trivial.

About 5 % of established personal customers a year drain their money over 2–4 months and then
close every account. Each has one cause from docs/churn.md and leaves the traces a bank would see:

- competitor_product: buys a competitor's product (an `external_holdings` row) and transfers money
  to that competitor;
- relocation: an address and city change in the customers delta, payroll stops, money follows;
- rate_sensitive: a time deposit matures and leaves for a better rate elsewhere instead of rolling
  over;
- bad_service: simply drains (complaints arrive later, outside this extract).

Non-churners are noisy on purpose: temporary dips, job gaps, moves, competitor holdings, and
transfers to other banks. The answer key is written to ``truth/`` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import vocab
from .calendar import Calendar, month_end_after
from .customers import PERSONAL, Customers
from .places import CITIES

CAUSES = ("competitor_product", "relocation", "rate_sensitive", "bad_service")
COMPETITOR, RELOCATION, RATE, SERVICE = range(4)
ANNUAL_RATE = 0.05
NEVER = 1 << 30


@dataclass
class Churn:
    cause: np.ndarray  # -1 none
    drain_start: np.ndarray  # month index (may be < 0: drain began before the first date)
    leave: np.ndarray  # month index of leaving (may be ≥ months: still draining at the end)
    left_on: np.ndarray  # day number (NEVER when not a churner)
    factor: np.ndarray  # (customers, months + 1): liquidity level for m = -1 … months-1
    payroll_off: np.ndarray  # (from, to) month index pairs, shape (customers, 2)
    competitor: np.ndarray  # index into vocab.COMPETITORS where money goes, -1 none
    moves: list[tuple[np.ndarray, np.ndarray]]  # per month: (customer rows, new city)

    def draining(self, m: int) -> np.ndarray:
        return (self.cause >= 0) & (self.drain_start <= m) & (m < self.leave)


def _drain_path(m: np.ndarray, start: np.ndarray, length: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Share of the money still here in month m of a drain of `length` months."""
    k = m - start + 1
    return np.clip(1.0 - depth * k / length, 0.04, 1.0)


def plan_churn(
    rng: np.random.Generator, c: Customers, cal: Calendar, td_cust: np.ndarray, td_maturity: np.ndarray
) -> Churn:
    """Choose churners, causes and timings; build the liquidity factor of every customer."""
    n, months = c.n, cal.months
    eligible = (c.ctype == PERSONAL) & (c.onboard_m == 0) & (c.onboard < cal.first_start - 180)
    pool = rng.permutation(np.flatnonzero(eligible))
    total = int(round(len(pool) * ANNUAL_RATE / 12 * (months + 1)))
    length = rng.choice([2, 3, 4], size=n, p=[0.35, 0.4, 0.25])
    cause = np.full(n, -1, dtype=np.int8)
    start = np.full(n, NEVER, dtype=np.int64)
    leave = np.full(n, NEVER, dtype=np.int64)

    # Rate-sensitive: customers whose time deposit matures inside the window; the drain starts then.
    td_m = cal.month_of(td_maturity)
    in_window = (td_m >= 0) & (td_m < months) & eligible[td_cust]
    cust_w, m_w = td_cust[in_window], td_m[in_window]
    order = np.lexsort((m_w, cust_w))
    holders, first = np.unique(cust_w[order], return_index=True)
    chosen = rng.permutation(len(holders))[: int(total * 0.2)]
    rate_rows = holders[chosen]
    cause[rate_rows] = RATE
    start[rate_rows] = m_w[order][first][chosen]
    leave[rate_rows] = start[rate_rows] + length[rate_rows]
    rest = pool[cause[pool] < 0][: max(0, total - len(rate_rows))]
    cause[rest] = rng.choice([COMPETITOR, RELOCATION, SERVICE], size=len(rest), p=[0.45, 0.25, 0.3])
    leave[rest] = rng.integers(1, months + 2, len(rest))
    start[rest] = leave[rest] - length[rest]
    churner = cause >= 0
    left_on = np.full(n, NEVER, dtype=np.int64)
    later = Calendar(month_end_after(cal.end, 4), months + 4)  # leaving may fall after the end date
    lo, hi = later.starts[leave[churner]], later.ends[leave[churner]]
    left_on[churner] = lo + (rng.random(int(churner.sum())) * (hi - lo + 1)).astype(np.int64)

    mm = np.arange(-1, months)[None, :]
    factor = np.ones((n, months + 1), dtype=np.float32)
    rows = np.flatnonzero(churner)
    depth = rng.uniform(0.8, 0.97, len(rows))[:, None]
    path = _drain_path(mm, start[rows, None], length[rows, None], depth)
    factor[rows] = np.where(mm >= leave[rows, None], 0.0, path)
    _dips(rng, factor, ~churner, months)

    payroll_off = np.full((n, 2), NEVER, dtype=np.int64)
    stop = churner & ((cause == RELOCATION) | ((cause == SERVICE) & (rng.random(n) < 0.5)))
    stop |= churner & (cause == COMPETITOR) & (rng.random(n) < 0.3)
    payroll_off[stop, 0] = start[stop] + 1
    gap = ~churner & (c.payroll > 0) & (rng.random(n) < 0.005 * months)
    payroll_off[gap, 0] = rng.integers(0, months, int(gap.sum()))
    payroll_off[gap, 1] = payroll_off[gap, 0] + rng.integers(1, 4, int(gap.sum()))

    competitor = np.full(n, -1, dtype=np.int64)
    banks = len(vocab.COMPETITOR_BANKS)
    competitor[churner] = rng.integers(0, banks, int(churner.sum()))
    rate = cause == RATE
    competitor[rate] = banks + rng.integers(0, 2, int(rate.sum()))  # 微众银行 / 网商银行 pay more
    churn = Churn(cause, start, leave, left_on, factor, payroll_off, competitor, [])
    churn.moves = _moves(rng, c, cal, churn)
    return churn


def _dips(rng: np.random.Generator, factor: np.ndarray, who: np.ndarray, months: int) -> None:
    """~4 % of non-churners lose 30–60 % of their money for a month or two, then recover."""
    rows = np.flatnonzero(who & (rng.random(len(who)) < 0.04))
    begin = rng.integers(-1, months, len(rows))[:, None]
    depth = rng.uniform(0.3, 0.6, len(rows))[:, None]
    k = np.arange(-1, months)[None, :] - begin
    shape = np.select([k == 0, k == 1, k == 2], [1 - 0.6 * depth, 1 - depth, 1 - 0.5 * depth], 1.0)
    factor[rows] = shape.astype(np.float32)


def _moves(rng: np.random.Generator, c: Customers, cal: Calendar, churn: Churn) -> list:
    """Address/city changes per month: relocating churners before they leave, plus ordinary
    moves (1 %/year to another city, 3 %/year within the city)."""
    n, months = c.n, cal.months
    month = np.full(n, -1, dtype=np.int64)
    reloc = churn.cause == RELOCATION
    month[reloc] = np.maximum(1, np.minimum(churn.drain_start[reloc] + 1, churn.leave[reloc] - 1))
    month[month >= months] = -1
    other = (churn.cause < 0) & (c.onboard_m == 0) & (rng.random(n) < 0.04 * (months - 1) / 12)
    month[other] = rng.integers(1, max(2, months), int(other.sum()))
    far = reloc | (other & (rng.random(n) < 0.25))
    n_cities = len(CITIES)
    new_city = np.where(far, (c.city + rng.integers(1, n_cities, n)) % n_cities, c.city)
    moves = []
    for m in range(months):
        rows = np.flatnonzero(month == m) if m >= 1 else np.array([], dtype=np.int64)
        moves.append((rows, new_city[rows]))
    return moves
