"""Accounts over the whole window: base holdings, new accounts, rollovers and closures.

All opening and closing dates are fixed before the monthly simulation starts, so account IDs can
be numbered in opening order (older accounts have lower IDs, as in a core-banking system) and the
monthly loop only moves money.

Card numbers use BIN 999999, which no card scheme assigns: they pass the Luhn check (as real
cards do) but can never be mistaken for a real card. Debit cards have 19 digits (999999 0 …),
credit cards 16 (999999 1 …).

Maturities: a time deposit matures its term after opening (a rollover is a new deposit, so a new
account); a wealth product with a term (季季开, 半年盈, 年年丰 …) runs period after period, and its
row carries the end of the period running on the business date — the core system sends the row again
when a period ends and the next begins. Products without a term (demand, cash management, funds)
never mature. Nothing here draws a random number: maturities follow from what was already planned,
so adding them moved no other value of the bank.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..schema import ACCOUNT_STATUSES
from .arrays import dates, decimal, luhn_complete, padded
from .calendar import Calendar, add_months
from .churn import RATE, Churn
from .customers import PERSONAL, Customers
from .holdings import TD_TERMS, Rows, T, choose_product, suitable
from .products import Products

TEST_BIN = 999_999
# Adoption drivers (monthly chance of a new credit card; share of fund purchases among new investments).
CARD_RATE, CARD_RATE_SALARIED = 0.0008, 0.01
FUND_SHARE_OF_HOLDERS, FUND_SHARE_OTHERS = 0.8, 0.2
DEBIT, CREDIT = 1, 2


@dataclass
class Accounts:
    n: int
    cust: np.ndarray
    product: np.ndarray
    ptype: np.ndarray
    open_day: np.ndarray
    close_day: np.ndarray  # NEVER when it stays open
    amount: np.ndarray  # yuan: level (demand), principal (TD), value (investments), outstanding (credit)
    monthly: np.ndarray  # loan principal instalment
    primary: np.ndarray  # the customer's main current account (payroll, cards, spending)
    card: np.ndarray  # 0 none, 1 debit, 2 credit
    status: np.ndarray  # index into ACCOUNT_STATUSES while open
    first_m: np.ndarray  # folder the row first appears in
    close_m: np.ndarray  # folder the closing row appears in (≥ months: not in the window)
    account_id: pa.Array
    number: pa.Array
    card_number: pa.Array
    term: np.ndarray  # months of a maturing product (time deposit, term wealth), 0 when it never matures
    periodic: np.ndarray  # a wealth product that renews period after period (its maturity moves on)
    rate_units: np.ndarray  # agreed rate in 1/10000 % per year, -1 for none

    def maturity(self, rows: np.ndarray, business_day: int) -> np.ndarray:
        """Day number each row's current term ends as seen on `business_day` (-1: never matures).

        A time deposit ends `term` months after opening; a periodic product at the first period end on
        or after the business date (or after the day it was closed, for a closed one)."""
        opened, term = self.open_day[rows], self.term[rows]
        first = add_months(opened, term)
        seen = np.minimum(business_day, self.close_day[rows])
        elapsed = np.asarray(seen).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        elapsed = elapsed - opened.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        k = np.maximum(-(-elapsed // np.maximum(term, 1)), 1)
        current = add_months(opened, k * term)
        for _ in range(2):  # month arithmetic clips to month-ends: at most two steps short
            short = current < seen
            k = np.where(short, k + 1, k)
            current = np.where(short, add_months(opened, k * term), current)
        return np.where(term <= 0, -1, np.where(self.periodic[rows], current, first))

    def rolled(self, m_end_before: int, m_end: int) -> np.ndarray:
        """Open periodic products whose period ended between two business dates: their row changed."""
        rows = np.flatnonzero(self.periodic & (self.open_day <= m_end_before) & (self.close_day > m_end))
        return rows[self.maturity(rows, m_end_before) != self.maturity(rows, m_end)]

    def table(self, rows: np.ndarray, business_day: int, customer_no: pa.Array, product_code: list[str]) -> pa.Table:
        idx = pa.array(rows)
        closed = self.close_day[rows] <= business_day
        status = np.where(closed, ACCOUNT_STATUSES.index("closed"), self.status[rows])
        maturity = self.maturity(rows, business_day)
        rate = self.rate_units[rows]
        return pa.table(
            {
                "account_id": self.account_id.take(idx),
                "customer_no": customer_no.take(pa.array(self.cust[rows])),
                "product_code": pa.array(product_code).take(pa.array(self.product[rows])),
                "account_number": self.number.take(idx),
                "card_number": self.card_number.take(idx),
                "opened_on": dates(self.open_day[rows]),
                "closed_on": dates(np.where(closed, self.close_day[rows], 0), null=~closed),
                "status": pa.array(ACCOUNT_STATUSES).take(pa.array(status)),
                "maturity_date": dates(np.maximum(maturity, 0), null=maturity < 0),
                "rate": decimal(np.maximum(rate, 0), 4, null=rate < 0),
            }
        )


def build_accounts(
    rng: np.random.Generator, c: Customers, p: Products, cal: Calendar, churn: Churn, base: Rows, sub_number
) -> Accounts:
    """Add the window's new accounts, roll time deposits over, close what closes, then number."""
    _new_accounts(rng, c, p, cal, churn, base)
    a = base.arrays()
    a = _rollovers(rng, a, p, cal, churn)
    _closures(rng, a, p, cal, churn)
    return numbered(rng, a, c, p, cal, sub_number)


def numbered(
    rng, a: dict, c: Customers, p: Products, cal: Calendar, sub_number, after: Accounts | None = None
) -> Accounts:
    """Rows (`Rows.arrays()`) in opening order with their statuses, IDs, account and card numbers.
    `after`: the bank's other accounts — these are numbered after them, so no ID or number repeats."""
    order = np.lexsort((a["cust"], a["open_day"]))
    a = {k: v[order] for k, v in a.items()}
    n = len(order)
    ptype = p.ptype[a["product"]]
    status = np.zeros(n, dtype=np.int64)
    small_savings = (ptype == T["savings"]) & (a["amount"] < 1_000) & (c.stratum[a["cust"]] == 0)
    status[small_savings & (rng.random(n) < 0.3)] = ACCOUNT_STATUSES.index("dormant")
    status[~a["primary"] & (rng.random(n) < 0.001)] = ACCOUNT_STATUSES.index("frozen")
    serial = np.arange(n, dtype=np.int64) + 1 + (after.n if after else 0)
    number = luhn_complete(sub_number[c.sub[a["cust"]]] * 10**12 + (10 + ptype) * 10**10 + serial, 16)
    term, periodic, rate_units = _terms(p, a["product"], ptype)
    cards_before = (int((after.card == DEBIT).sum()), int((after.card == CREDIT).sum())) if after else (0, 0)
    return Accounts(
        n=n,
        cust=a["cust"],
        product=a["product"],
        ptype=ptype,
        open_day=a["open_day"],
        close_day=a["close_day"],
        amount=a["amount"],
        monthly=a["monthly"],
        primary=a["primary"],
        card=a["card"],
        status=status,
        first_m=np.maximum(cal.month_of(a["open_day"]), 0),
        close_m=cal.month_of(a["close_day"]),
        account_id=padded(serial, 10, "A"),
        number=number,
        card_number=_card_numbers(rng, a["card"], cards_before),
        term=term,
        periodic=periodic,
        rate_units=rate_units,
    )


def _terms(p: Products, product: np.ndarray, ptype: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(term months, periodic, agreed rate in 1/10000 %) per account. Only time deposits and wealth
    products with a term mature; they carry the product's rate (the generator's list rates never
    change, so no deposit holds an older, different rate)."""
    maturing = np.isin(ptype, [T["time_deposit"], T["wealth"]]) & (p.term[product] > 0)
    term = np.where(maturing, p.term[product], 0).astype(np.int64)
    listed = np.array([-1 if r is None else round(r * 10_000) for r in p.rate], dtype=np.int64)[product]
    rate_units = np.where(maturing & (listed >= 0), listed, -1)
    return term, maturing & (ptype == T["wealth"]), rate_units


def _card_numbers(rng: np.random.Generator, card: np.ndarray, before: tuple[int, int] = (0, 0)) -> pa.Array:
    """Unique test-BIN card numbers: 19-digit debit, 16-digit credit, null elsewhere. `before`:
    (debit, credit) cards numbered already, whose serial ranges these stay above."""
    debit, credit = np.flatnonzero(card == DEBIT), np.flatnonzero(card == CREDIT)
    d_serial = (before[0] + rng.permutation(len(debit)).astype(np.int64)) * 97 + rng.integers(0, 97, len(debit))
    c_serial = (before[1] + rng.permutation(len(credit)).astype(np.int64)) * 13 + rng.integers(0, 13, len(credit))
    numbers = pa.concat_arrays(
        [
            pa.nulls(1, pa.string()),
            luhn_complete(TEST_BIN * 10**12 + d_serial, 18),  # 999999 0 …
            luhn_complete((TEST_BIN * 10 + 1) * 10**8 + c_serial, 15),  # 999999 1 …
        ]
    )
    index = np.zeros(len(card), dtype=np.int64)
    index[debit] = 1 + np.arange(len(debit))
    index[credit] = 1 + len(debit) + np.arange(len(credit))
    return numbers.take(pa.array(index))


def _new_accounts(rng, c: Customers, p: Products, cal: Calendar, churn: Churn, out: Rows) -> None:
    """Existing customers buy wealth and funds, take cards and loans during the window.

    Adoption drivers (docs/generator.md), so a recommender has something to learn: a fund holder
    buys a fund more often than a wealth product (and the reverse); a salaried customer without a
    credit card takes one far more often than anybody else."""
    rate = np.array([0.002, 0.008, 0.012, 0.015, 0.015])[c.stratum]
    invest = (c.ctype == PERSONAL) & ~c.fake_big & (c.risk >= 0)
    held = out.arrays()
    kinds = p.ptype[held["product"]]
    holds_fund = np.isin(np.arange(c.n), held["cust"][kinds == T["fund"]])
    has_card = np.isin(np.arange(c.n), held["cust"][kinds == T["credit_card"]])
    card_rate = np.where((c.payroll > 0) & ~has_card, CARD_RATE_SALARIED, CARD_RATE)
    for m in range(cal.months):
        lo, hi = int(cal.starts[m]), int(cal.ends[m])
        here = (c.onboard < lo) & ~((churn.cause >= 0) & (churn.drain_start <= m))
        u = rng.random(c.n)
        buyers = np.flatnonzero(here & invest & (u < rate))
        cards = np.flatnonzero(here & (c.ctype == PERSONAL) & (u >= rate) & (u < rate + card_rate))
        day = rng.integers(lo, hi + 1, c.n)
        if len(buyers):
            fund_share = np.where(holds_fund[buyers], FUND_SHARE_OF_HOLDERS, FUND_SHARE_OTHERS)
            kind = np.where(rng.random(len(buyers)) < fund_share, "fund", "wealth")
            amount = np.round(c.aum0[buyers] * rng.uniform(0.05, 0.25, len(buyers)), -2) + 1_000
            for k in ("wealth", "fund"):
                rows = np.flatnonzero(kind == k)
                candidates = p.of(k)
                ok = suitable(p, candidates, c.risk[buyers[rows]], amount[rows])
                product = choose_product(rng, candidates, ok)
                out.add(buyers[rows], product, day[buyers[rows]], amount[rows])
        if len(cards):
            out.add(cards, p.of("credit_card")[np.minimum(c.stratum[cards], 3)], day[cards], 0.0, card=CREDIT)


def _rollovers(rng, a: dict, p: Products, cal: Calendar, churn: Churn) -> dict:
    """Time deposits maturing in the window mostly roll over into a new deposit (a new account)
    with principal plus interest; churners let them go."""
    end = int(cal.ends[-1])
    td_codes = np.array([p.code.index(f"TD{t:02d}") for t in TD_TERMS])
    rate = np.array([r or 0.0 for r in p.rate])
    parts = {k: [v] for k, v in a.items()}
    chunk = a
    todo = np.flatnonzero((p.ptype[a["product"]] == T["time_deposit"]) & (a["close_day"] <= end))
    while len(todo):
        cust, maturity = chunk["cust"][todo], chunk["close_day"][todo]
        m = cal.month_of(maturity)
        draining = (churn.cause[cust] >= 0) & (churn.drain_start[cust] <= m)
        roll = (churn.left_on[cust] > maturity) & ~draining & (rng.random(len(todo)) < 0.75)
        roll &= ~((churn.cause[cust] == RATE) & (churn.drain_start[cust] == m))
        src = todo[roll]
        old = chunk["product"][src]
        term = p.term[old]
        change = rng.random(len(src)) < 0.3
        term = np.where(change, np.asarray(TD_TERMS)[rng.integers(0, 5, len(src))], term)
        product = np.where(change, td_codes[np.searchsorted(TD_TERMS, term)], old)
        opened = chunk["close_day"][src]
        chunk = {
            "cust": chunk["cust"][src],
            "product": product,
            "open_day": opened,
            "close_day": add_months(opened, term),
            "amount": np.round(chunk["amount"][src] * (1 + rate[old] / 100 * p.term[old] / 12), 2),
            "monthly": np.zeros(len(src)),
            "primary": np.zeros(len(src), dtype=bool),
            "card": np.zeros(len(src), dtype=np.int64),
        }
        for k, v in chunk.items():
            parts[k].append(v.astype(parts[k][0].dtype))
        todo = np.flatnonzero(chunk["close_day"] <= end)
    return {k: np.concatenate(v) for k, v in parts.items()}


def _closures(rng, a: dict, p: Products, cal: Calendar, churn: Churn) -> None:
    """Leavers close everything on the day they leave (and break most time deposits before);
    others now and then close a savings account or redeem a wealth product in full."""
    cust, ptype = a["cust"], p.ptype[a["product"]]
    left = churn.left_on[cust]
    close = a["close_day"]
    open_at_leave = (a["open_day"] < left) & (close > left)
    close[open_at_leave] = left[open_at_leave]
    # Draining churners break most of their time deposits early, during the drain.
    start, length = churn.drain_start[cust], np.maximum(churn.leave[cust] - churn.drain_start[cust] - 1, 1)
    month = start + (rng.random(len(cust)) * length).astype(np.int64)
    trigger = (churn.cause[cust] == RATE) & (cal.month_of(close) == start)  # left to mature
    early = (churn.cause[cust] >= 0) & ~trigger & (month >= 0) & (month < cal.months)
    early &= (ptype == T["time_deposit"]) & (rng.random(len(cust)) < 0.85)
    day = cal.starts[np.clip(month, 0, cal.months - 1)] + rng.integers(0, 28, len(cust))
    early &= (a["open_day"] < day) & (day < close)
    close[early] = day[early]
    noise = (churn.cause[cust] < 0) & np.isin(ptype, [T["savings"], T["wealth"], T["fund"]]) & ~a["primary"]
    chance = np.where(ptype == T["savings"], 0.002, 0.004) * cal.months
    when = cal.first_start + (rng.random(len(cust)) * (cal.ends[-1] - cal.first_start)).astype(np.int64)
    noise &= (rng.random(len(cust)) < chance) & (a["open_day"] + 30 < when) & (when < close)
    close[noise] = when[noise]
