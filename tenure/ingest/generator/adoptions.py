"""Planted adoption drivers: who opens which of our products next, and why (docs/generator.md).

The bank's ordinary new accounts (`accounts._new_accounts`, rollovers) make three product types
cover almost every opening, so "the three most popular types" is a baseline no model beats. These
drivers add openings a recommender can see coming in the month-end before (docs/offers.md):

| driver | who (personal, not leaving) | opens in the month | chance a month |
|---|---|---|---|
| `maturity_to_wealth` | an own time deposit matures this month, risk assessed | a wealth product, after it | 35 % |
| `salaried_card` | under 35, payroll, no credit card | a credit card | 5 % |
| `salaried_fund_plan` | under 35, payroll, a credit card, assessed | a fund (monthly plan) | 4 % |
| `family_loan` | 28–40, payroll, Gold or richer, no loan | a mortgage or car loan | 3 % |
| `midlife_insurance` | 45–60, AUM ≥ ¥100,000, no insurance, assessed | an insurance policy | 4 % |

They draw from their own random stream (`run.STREAMS`' last, "adoptions") and are simulated by a
second `Simulation` on that stream, so every other value of the bank stays as it was: the accounts,
balances and transactions files gain these rows (their transactions interleave by time, so the
transaction numbers after the first planted one move), the other files are byte-identical.
"""

from __future__ import annotations

import numpy as np

from .accounts import CREDIT, Accounts, numbered
from .calendar import Calendar, add_months
from .churn import Churn
from .customers import PERSONAL, Customers
from .holdings import NEVER, Rows, T, choose_product, suitable
from .money import MonthResult
from .products import Products

DRIVERS = {  # monthly chance per eligible customer (per maturing deposit for the first)
    "maturity_to_wealth": 0.35,
    "salaried_card": 0.05,
    "salaried_fund_plan": 0.04,
    "family_loan": 0.03,
    "midlife_insurance": 0.04,
}
LOAN_SIZE = {"LN01": 900_000.0, "LN04": 120_000.0}


def plant_adoptions(
    rng: np.random.Generator, c: Customers, p: Products, cal: Calendar, churn: Churn, a: Accounts, sub_number
) -> tuple[Accounts, dict[str, int]]:
    """The planted accounts (numbered after `a`, the bank's others) and how many each driver opened."""
    out = Rows()
    counts = dict.fromkeys(DRIVERS, 0)
    staying = (c.ctype == PERSONAL) & (churn.cause < 0) & ~c.fake_big
    salaried = staying & (c.payroll > 0)
    assessed = c.risk >= 0
    holds = {kind: _holders(c, a, T[kind]) for kind in ("credit_card", "loan", "insurance")}
    td = np.flatnonzero((a.ptype == T["time_deposit"]) & (a.close_day < NEVER))
    td = td[staying[a.cust[td]] & assessed[a.cust[td]] & (a.close_day[td] == add_months(a.open_day[td], a.term[td]))]
    for m in range(cal.months):
        lo, hi = int(cal.starts[m]), int(cal.ends[m])
        here = c.onboard < lo
        # A deposit maturing this month: part of the money goes into wealth a few days later.
        due = td[(a.close_day[td] >= lo) & (a.close_day[td] <= hi)]
        due = due[rng.random(len(due)) < DRIVERS["maturity_to_wealth"]]
        amount = np.maximum(np.round(a.amount[due] * rng.uniform(0.3, 0.7, len(due)), -2), 10_000.0)
        day = np.minimum(a.close_day[due] + rng.integers(0, 6, len(due)), hi)
        counts["maturity_to_wealth"] += _invest(rng, out, p, "wealth", a.cust[due], c.risk[a.cust[due]], amount, day)

        u = rng.random(c.n)
        day = rng.integers(lo, hi + 1, c.n)
        young = here & salaried & (c.age < 35)
        card = np.flatnonzero(young & ~holds["credit_card"] & (u < DRIVERS["salaried_card"]))
        plan = np.flatnonzero(young & holds["credit_card"] & assessed & (u < DRIVERS["salaried_fund_plan"]))
        holds["credit_card"][card] = True
        out.add(card, p.of("credit_card")[np.minimum(c.stratum[card], 3)], day[card], 0.0, card=CREDIT)
        counts["salaried_card"] += len(card)
        amount = np.round(np.maximum(c.payroll[plan], 3_000) * rng.uniform(0.1, 0.3, len(plan)), -2) + 500
        counts["salaried_fund_plan"] += _invest(rng, out, p, "fund", plan, c.risk[plan], amount, day[plan])

        family = here & salaried & (c.age >= 28) & (c.age <= 40) & (c.stratum >= 1) & ~holds["loan"]
        loan = np.flatnonzero(family & (u >= 0.5) & (u < 0.5 + DRIVERS["family_loan"]))
        holds["loan"][loan] = True
        _loans(rng, out, p, loan, day[loan], cal)
        counts["family_loan"] += len(loan)

        midlife = here & staying & assessed & (c.age >= 45) & (c.age <= 60) & (c.aum0 >= 100_000)
        policy = np.flatnonzero(midlife & ~holds["insurance"] & (u >= 0.6) & (u < 0.6 + DRIVERS["midlife_insurance"]))
        holds["insurance"][policy] = True
        amount = np.round(c.aum0[policy] * rng.uniform(0.05, 0.15, len(policy)), -2) + 10_000
        counts["midlife_insurance"] += _invest(rng, out, p, "insurance", policy, c.risk[policy], amount, day[policy])
    if not out.parts:
        out.add(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    rows = out.arrays()
    return numbered(rng, rows, c, p, cal, sub_number, after=a), counts


def _holders(c: Customers, a: Accounts, ptype: int) -> np.ndarray:
    """Per customer: holds an account of the type at any time of the window (a planted one comes on top)."""
    held = np.zeros(c.n, dtype=bool)
    held[a.cust[a.ptype == ptype]] = True
    return held


def _invest(rng, out: Rows, p: Products, kind: str, cust, risk, amount, day) -> int:
    """Buy one suitable product of `kind` each (risk level ≤ the tolerance, minimum met); none: skip."""
    candidates = p.of(kind)
    ok = suitable(p, candidates, risk, amount)
    able = ok.any(axis=1)
    cust, amount, day, ok = cust[able], amount[able], day[able], ok[able]
    if len(cust):
        out.add(cust, choose_product(rng, candidates, ok), day, amount)
    return len(cust)


def _loans(rng, out: Rows, p: Products, cust, day, cal: Calendar) -> None:
    """A mortgage (60 %) or a car loan, repaid in equal principal instalments from the next month."""
    codes = np.where(rng.random(len(cust)) < 0.6, "LN01", "LN04")
    product = np.array([p.code.index(k) for k in codes], dtype=np.int64)
    principal = np.round(np.array([LOAN_SIZE[k] for k in codes]) * rng.lognormal(0.0, 0.4, len(cust)), -2)
    term = p.term[product]
    maturity = add_months(day, term)
    close = np.where(maturity <= cal.ends[-1], maturity, NEVER)
    out.add(cust, product, day, principal, close, monthly=np.round(principal / term, 2))


def merge_month(main: MonthResult, planted: MonthResult, offset: int) -> MonthResult:
    """One month of the bank: the planted accounts' rows (indexes after `offset`) merged into the
    main simulation's, transactions kept in time order (a planted one after main ones of the same second)."""
    t, extra = main.txns, planted.txns
    at = np.searchsorted(t["time"], extra["time"], side="right")
    txns = {}
    for name in list(t):  # one column at a time: never two full copies of the month
        column = t.pop(name)
        values = extra[name] + offset if name == "acc" else extra[name]
        txns[name] = np.insert(column, at, values.astype(column.dtype, copy=False))
    return MonthResult(
        txns,
        np.concatenate([main.open_rows, planted.open_rows + offset]),
        np.concatenate([main.balance, planted.balance]),
        np.concatenate([main.adb, planted.adb]),
    )
