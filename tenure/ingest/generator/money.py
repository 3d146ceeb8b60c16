"""The monthly simulation: target balances, the transactions that reach them, and balances.

Demand balances follow a per-customer level (a mean-reverting random walk × season × the churn
/dip factor). Everyday flows are drawn first; one balancing transfer per account (split when
large) then lands the month-end balance exactly on the target, so balance(t) = balance(t-1) +
credits - debits holds to the cent for current, savings and time-deposit accounts, and the
running balance never goes below zero: debits before the balancing transfer are capped at 90 %
of the opening balance, and a balancing debit larger than the target is placed after every credit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import assets, flows, vocab
from .accounts import Accounts
from .calendar import Calendar
from .churn import COMPETITOR, Churn
from .customers import CORPORATE, PERSONAL, Customers
from .external import External
from .holdings import T
from .merchants import Merchants
from .products import RETURNS, Products
from .txns import CH, TT, Month, Txns, Words

DEMAND = (T["current"], T["savings"])
INVEST = (T["wealth"], T["fund"], T["insurance"])


@dataclass
class MonthResult:
    txns: dict[str, np.ndarray]
    open_rows: np.ndarray  # accounts open at the month-end
    balance: np.ndarray  # cents, per open row
    adb: np.ndarray  # cents, average daily balance since the previous business date


class Simulation:
    """The bank's money over time: balances (cents) carried from month to month, the base level of
    each demand account and the mean-reverting level of each customer."""

    def __init__(
        self,
        rng,
        c: Customers,
        a: Accounts,
        p: Products,
        churn: Churn,
        m: Merchants,
        ext: External,
        words: Words,
        cal: Calendar,
        acquiring: np.random.Generator | None = None,
    ) -> None:
        # The acquiring payments' own stream (run.py's "acquiring"); None leaves them out.
        self.acquiring = acquiring
        self.rng, self.c, self.a, self.p, self.churn, self.m, self.words, self.cal = rng, c, a, p, churn, m, words, cal
        self.base = a.amount.copy()
        self.x = np.zeros(c.n)
        self.sigma = np.where(c.ctype == PERSONAL, rng.uniform(0.06, 0.16, c.n), 0.25) + 0.25 * c.fake_big
        self.rate = np.array([r or 0.0 for r in p.rate])[a.product]
        self.due = rng.integers(5, 26, a.n)
        self.revolver = rng.random(a.n) < 0.3
        self.primary_of = np.full(c.n, -1)
        self.primary_of[a.cust[a.primary]] = np.flatnonzero(a.primary)
        self.idle = a.status > 0
        f0 = churn.factor[a.cust, 0]
        scale = np.where(np.isin(a.ptype, DEMAND) | np.isin(a.ptype, INVEST[:2]), f0, 1.0)
        pre = a.open_day < cal.first_start
        self.bal = np.where(pre, np.rint(a.amount * scale * 100), 0).astype(np.int64)
        # Competitor products bought during the window: the money goes to the issuer that month.
        fresh = ext.bought >= cal.first_start
        issuer = np.array([vocab.COMPETITORS.index(p.issuer[k]) for k in ext.product[fresh]], dtype=np.int64)
        self.buys = (ext.first_m[fresh], ext.cust[fresh], words.at("buy", issuer))

    def _exit_words(self, m: int) -> np.ndarray:
        """Counterparty of money leaving for a competitor this month, per customer (-1: none):
        draining churners, and anyone who buys a competitor product this month."""
        churn, w = self.churn, self.words
        out = np.full(self.c.n, -1, dtype=np.int64)
        month, cust, word = self.buys
        out[cust[month == m]] = word[month == m]
        draining = churn.draining(m) | ((churn.cause >= 0) & (churn.leave == m))
        comp = np.maximum(churn.competitor, 0)
        out[draining] = np.where(
            churn.cause[draining] == COMPETITOR, w.at("buy", comp[draining]), w.at("bank_out", comp[draining])
        )
        return out

    def month(self, m: int) -> MonthResult:
        c, a, cal, rng = self.c, self.a, self.cal, self.rng
        mo = Month(m, int(cal.starts[m]), int(cal.ends[m]), cal.season(m), rng)
        alive = (a.open_day <= mo.hi) & (a.close_day >= mo.lo)
        prev = self.bal
        tx = Txns()

        self.x = 0.6 * self.x + rng.normal(0.0, self.sigma)
        season = np.where((c.ctype == PERSONAL) & mo.season["spring_festival"], 0.93, 1.0)
        season *= np.where((c.ctype == CORPORATE) & mo.season["quarter_end"], 1.08, 1.0)
        level = np.exp(self.x) * 1.003 ** (m + 1) * season
        f, f_prev = self.churn.factor[:, m + 1], self.churn.factor[:, m]
        exit_word = self._exit_words(m)

        td = np.flatnonzero(alive & (a.ptype == T["time_deposit"]))
        back, paid = assets.time_deposits(mo, tx, self.words, a, self.p, td, exit_word)
        target_acc = self.primary_of[a.cust[back]]
        ok = target_acc >= 0
        lift = level[a.cust[back]] * np.maximum(f[a.cust[back]], 0.3)
        np.add.at(self.base, target_acc[ok], paid[ok] / 100 / lift[ok])

        inv = np.flatnonzero(alive & np.isin(a.ptype, INVEST) & ~self.idle)
        ret = self._returns()[a.product[inv]]
        drain = np.where(
            a.ptype[inv] == T["insurance"],
            1.0,
            np.where(f_prev[a.cust[inv]] > 0, f[a.cust[inv]] / np.maximum(f_prev[a.cust[inv]], 1e-6), 1.0),
        )
        market, (sold, cents, when) = assets.investments(mo, tx, a, inv, prev, ret, drain)
        current = self.primary_of[a.cust[sold]]
        out = (exit_word[a.cust[sold]] >= 0) & (current >= 0)
        out[out] &= a.close_day[current[out]] >= when[out] // 86_400
        word = exit_word[a.cust[sold[out]]]
        assets.redemptions_out(mo, tx, self.words, current[out], cents[out], when[out], word)

        loans = np.flatnonzero(alive & (a.ptype == T["loan"]))
        assets.loans(mo, tx, self.words, a, self.p, loans, prev)
        cards = np.flatnonzero(alive & (a.ptype == T["credit_card"]) & ~self.idle)
        assets.credit_cards(mo, tx, self.words, a, c, self.m, cards, prev, self.due, self.revolver)

        dem = np.flatnonzero(alive & np.isin(a.ptype, DEMAND))
        self._demand(mo, tx, dem, prev, level, f, exit_word)

        t = tx.arrays()
        return self._settle(mo, t, alive, prev, inv, market)

    def _returns(self) -> np.ndarray:
        """This month's return of every product (deposits and loans: 0)."""
        p = self.p
        out = np.zeros(len(p.code))
        for kind, table in RETURNS.items():
            rows = np.flatnonzero(p.ptype == T[kind])
            mean, sd = np.array(table)[p.risk[rows]].T
            out[rows] = self.rng.normal(mean, sd)
        return out

    def _demand(self, mo: Month, tx: Txns, rows: np.ndarray, prev, level, f, exit_word) -> None:
        """Everyday flows, the 90 % debit cap, then the balancing transfer onto the target."""
        a, c, rng, words = self.a, self.c, mo.rng, self.words
        cust = a.cust[rows]
        closing = a.close_day[rows] <= mo.hi
        moving = ~self.idle[rows]
        lo = np.maximum(a.open_day[rows], mo.lo)
        hi = np.minimum(a.close_day[rows], mo.hi)
        target = np.rint(self.base[rows] * level[cust] * f[cust] * rng.lognormal(0.0, 0.03, len(rows)) * 100)
        # Savings and second accounts sit still most months unless the customer's level shifts.
        still = ~a.primary[rows] & (rng.random(len(rows)) < 0.7) & (f[cust] == self.churn.factor[cust, mo.m])
        still |= a.primary[rows] & (c.activity[cust] < 0.3) & (rng.random(len(rows)) < 0.6)
        still &= a.open_day[rows] < mo.lo
        target = np.where(moving & ~still, target, prev[rows])
        target = np.where(closing, 0, target).astype(np.int64)

        live = moving
        d = flows.Demand(rows[live], cust[live], lo[live], hi[live], a.primary[rows[live]])
        own = Txns()
        off = self.churn.payroll_off
        payroll_on = (c.payroll > 0) & ~((off[:, 0] <= mo.m) & (mo.m < off[:, 1]))
        flows.personal_flows(mo, own, words, d, c, self.m, payroll_on)
        if self.acquiring is not None:
            flows.acquiring_purchases(replace(mo, rng=self.acquiring), own, words, d, c, self.m)
        flows.business_flows(mo, own, words, d, c)
        flows.interest(mo, own, words, d, prev, self.rate[d.acc])
        t = own.arrays()
        del own
        spend = np.bincount(t["acc"][~t["credit"]], weights=t["cents"][~t["credit"]], minlength=a.n)
        cap = np.minimum(1.0, 0.9 * prev / np.maximum(spend, 1.0))
        debit = ~t["credit"]
        t["cents"][debit] = np.floor(t["cents"][debit] * cap[t["acc"][debit]]).astype(np.int64)
        tx.extend(t)
        credits = np.bincount(t["acc"][t["credit"]], weights=t["cents"][t["credit"]], minlength=a.n).astype(np.int64)
        debits = np.bincount(t["acc"][debit], weights=t["cents"][debit], minlength=a.n).astype(np.int64)
        gap = target - (prev[rows] + credits[rows] - debits[rows])
        self._balance(mo, tx, rows, cust, gap, target, credits[rows], lo, hi, exit_word)

    def _balance(self, mo: Month, tx: Txns, rows, cust, gap, target, credits, lo, hi, exit_word) -> None:
        """One or two transfers of `gap` (in when positive, out when negative)."""
        rng, words, c = mo.rng, self.words, self.c
        big = np.abs(gap) > 1_000_000
        pieces = 1 + (big & (rng.random(len(rows)) < 0.5))
        idx = np.repeat(np.arange(len(rows)), pieces)
        share = np.where(pieces[idx] == 2, rng.uniform(0.3, 0.7, len(idx)), 1.0)
        second = np.r_[False, idx[1:] == idx[:-1]]
        cents = np.abs(gap[idx])
        firsts = np.floor(cents * share).astype(np.int64)
        cents = np.where(second, cents - np.roll(firsts, 1), np.where(pieces[idx] == 2, firsts, cents))
        credit = gap[idx] > 0
        older = c.age[cust[idx]] >= 60
        leaving = exit_word[cust[idx]]
        u = rng.random(len(idx))
        cash = (u < 0.15) & (leaving < 0) & (c.ctype[cust[idx]] == PERSONAL)
        ch = mo.channels(len(idx), {"mobile": 0.75, "online": 0.15, "counter": 0.1}, older)
        ch = np.where(cash, np.where(older | (cents > 500_000), CH["counter"], CH["atm"]), ch)
        time = mo.times(mo.days_in(lo[idx], hi[idx]), ch, credit=True)
        anywhere = credit | (target[idx] >= credits[idx])
        time = np.where(anywhere, time, mo.late(hi[idx]))
        cp_in = np.where(u < 0.55, words.draw(rng, "person", len(idx)), words.draw(rng, "bank_in", len(idx)))
        cp_out = np.where(u < 0.55, words.draw(rng, "person", len(idx)), words.draw(rng, "bank_out", len(idx)))
        cp_out = np.where((u >= 0.55) & (u < 0.8), words.draw(rng, "wallet", len(idx)), cp_out)
        cp_out = np.where(leaving >= 0, leaving, cp_out)
        cp = np.where(credit, cp_in, cp_out)
        cp = np.where(cash, -1, cp)
        ttype = np.where(
            credit,
            np.where(cash, TT["deposit"], TT["transfer_in"]),
            np.where(cash, TT["withdrawal"], TT["transfer_out"]),
        )
        tx.add(rows[idx], time, cents, credit, ch, ttype, cp)

    def _settle(self, mo: Month, t: dict, alive, prev, inv, market) -> MonthResult:
        """New balances from the transactions; exact average daily balance; time order."""
        a = self.a
        liability = np.isin(a.ptype, (T["loan"], T["credit_card"]))
        sign = np.where(t["credit"] ^ liability[t["acc"]], np.int8(1), np.int8(-1))
        flow = np.bincount(t["acc"], weights=sign * t["cents"], minlength=a.n).astype(np.int64)
        day = t["time"] // 86_400
        weight = (mo.hi - day + 1) / mo.days
        # Float even for a month without transactions: numpy's bincount of an empty input is int64
        # whatever the weights (a bank too small for any planted adoption has such a month).
        avg = np.bincount(t["acc"], weights=sign * t["cents"] * weight, minlength=a.n).astype(np.float64)
        start = prev.copy()
        start[inv] = market
        new = start + flow
        adb = prev + avg
        adb[inv] += (market - prev[inv]) / 2
        self.bal = np.where(alive, new, self.bal)
        open_rows = np.flatnonzero(alive & (a.close_day > mo.hi))
        self.bal[alive & (a.close_day <= mo.hi)] = 0
        # Time order with ties broken by generation order: unique keys, so any sort algorithm
        # (numpy picks SIMD code by CPU) gives the same files on every machine.
        key = ((t["time"] - mo.lo * 86_400) << 40) | np.arange(len(t["time"]), dtype=np.int64)
        order = np.sort(key) & ((1 << 40) - 1)
        del key
        for name in list(t):  # one column at a time: never two full copies of the month
            t[name] = t[name][order]
        return MonthResult(t, open_rows, new[open_rows], np.rint(adb[open_rows]).astype(np.int64))
