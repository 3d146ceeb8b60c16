"""Everyday flows of demand accounts (current and savings): payroll, spending, cash, transfers.

Seasonality lives here: Spring Festival months bring more spending, cash withdrawals and WeChat
red packets; the month before brings year-end bonuses; Double 11 lifts online shopping; payroll
lands on fixed days, most of it in the last week of the month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .customers import CORPORATE, MERCHANT, PERSONAL, Customers
from .merchants import TICKET, Merchants
from .txns import CH, TT, Month, Txns, Words

RED_PACKETS = np.array([66, 88, 100, 166, 188, 200, 200, 500, 666, 888, 1000]) * 100


@dataclass
class Demand:
    """Demand accounts that move money this month."""

    acc: np.ndarray  # account rows
    cust: np.ndarray
    lo: np.ndarray  # first and last day the account is open in the month
    hi: np.ndarray
    primary: np.ndarray


def _lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: float, n: int) -> np.ndarray:
    return np.asarray(median) * rng.lognormal(0.0, sigma, n)


def _cents(yuan: np.ndarray) -> np.ndarray:
    return np.maximum(np.rint(yuan * 100), 1).astype(np.int64)


def _spread(mo: Month, d: Demand, rows: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson(lam) events per selected row: (row index into d, day in the open part of the month)."""
    k = mo.rng.poisson(lam)
    idx = np.repeat(rows, k)
    return idx, mo.days_in(d.lo[idx], d.hi[idx])


def personal_flows(
    mo: Month, tx: Txns, words: Words, d: Demand, c: Customers, merchants: Merchants, payroll_on: np.ndarray
) -> None:
    """Payroll and pensions, card and QR spending, bills, cash and person-to-person transfers."""
    rng, season = mo.rng, mo.season
    cust = d.cust
    main = np.flatnonzero(d.primary & (c.ctype[cust] == PERSONAL))
    other = np.flatnonzero(~d.primary & (c.ctype[cust] == PERSONAL))
    act, age, tier = c.activity[cust], c.age[cust], c.stratum[cust]
    older = age >= 60

    pay = main[payroll_on[cust[main]]]
    day = mo.day_of_month(c.payday[cust[pay]])
    pay = pay[(day >= d.lo[pay]) & (day <= d.hi[pay])]
    day = mo.day_of_month(c.payday[cust[pay]])
    pension = c.age[cust[pay]] >= 60
    amount = c.payroll[cust[pay]] * rng.normal(1.0, 0.03, len(pay))
    if season["bonus"]:
        amount *= np.where(~pension & (rng.random(len(pay)) < 0.6), 1.0 + rng.uniform(0.5, 3.0, len(pay)), 1.0)
    cp = np.where(pension, words.at("pension", 0), words.draw(rng, "payroll", len(pay)))
    ch = np.full(len(pay), CH["agent"])
    tx.add(d.acc[pay], mo.times(day, ch, credit=True), _cents(amount), True, ch, TT["payroll"], cp)

    festive = 1.5 if season["spring_festival"] else 1.0
    idx, day = _spread(mo, d, main, 1.2 * act[main] * festive)
    ch = mo.channels(len(idx), {"mobile": 0.5, "pos": 0.3, "online": 0.2 * (1.3 if season["double_eleven"] else 1)})
    amount = _lognormal(rng, 70.0 * (1 + 0.3 * tier[idx]) * (1.3 if festive > 1 else 1.0), 1.1, len(idx))
    ours = (ch == CH["pos"]) & (rng.random(len(idx)) < 0.45)
    merchant = np.where(ours, rng.choice(merchants.n, size=len(idx), p=merchants.popularity), -1)
    ours &= merchants.opened[np.maximum(merchant, 0)] < mo.lo
    merchant = np.where(ours, merchant, -1)
    amount = np.where(ours, amount * np.asarray(TICKET)[merchants.category[np.maximum(merchant, 0)]], amount)
    cp = np.where(ch == CH["pos"], words.draw(rng, "pos", len(idx)), words.draw(rng, "online", len(idx)))
    cp = np.where(ours, words.at("merchant", np.maximum(merchant, 0)), cp)
    tx.add(d.acc[idx], mo.times(day, ch), _cents(amount), False, ch, TT["purchase"], cp, merchant)

    idx, day = _spread(mo, d, main, 0.35 * np.sqrt(act[main]))
    ch = mo.channels(len(idx), {"agent": 0.3, "mobile": 0.7})
    amount = _lognormal(rng, 120.0, 0.6, len(idx))
    tx.add(
        d.acc[idx], mo.times(day, ch), _cents(amount), False, ch, TT["purchase"], words.draw(rng, "utility", len(idx))
    )

    idx, day = _spread(mo, d, main, 0.22 * (1 + older[main]) * (2.5 if festive > 1 else 1.0))
    ch = mo.channels(len(idx), {"atm": 0.8, "counter": 0.2}, older[idx])
    amount = np.maximum(np.round(_lognormal(rng, 800.0, 0.7, len(idx)), -2), 100.0)
    tx.add(d.acc[idx], mo.times(day, ch), _cents(amount), False, ch, TT["withdrawal"])

    _transfers(mo, tx, words, d, main, other, act, tier, older)

    if season["spring_festival"]:
        givers = main[rng.random(len(main)) < 0.5]
        idx, day = _spread(mo, d, givers, np.full(len(givers), 3.0))
        ch = np.full(len(idx), CH["mobile"])
        cents = RED_PACKETS[rng.integers(0, len(RED_PACKETS), len(idx))]
        tx.add(d.acc[idx], mo.times(day, ch), cents, False, ch, TT["transfer_out"], words.at("red_packet", 0))
        takers = main[rng.random(len(main)) < 0.5]
        idx, day = _spread(mo, d, takers, np.full(len(takers), 1.5))
        ch = np.full(len(idx), CH["mobile"])
        cents = RED_PACKETS[rng.integers(0, len(RED_PACKETS), len(idx))]
        tx.add(
            d.acc[idx], mo.times(day, ch, credit=True), cents, True, ch, TT["transfer_in"], words.at("red_packet", 0)
        )

    idx, day = _spread(mo, d, main, 0.05 + 0.2 * older[main])
    ch = mo.channels(len(idx), {"counter": 0.6, "atm": 0.4})
    amount = np.maximum(np.round(_lognormal(rng, 2_000.0, 0.8, len(idx)), -2), 100.0)
    tx.add(d.acc[idx], mo.times(day, ch, credit=True), _cents(amount), True, ch, TT["deposit"])

    idx, day = _spread(mo, d, main, np.full(len(main), 0.08))
    ch = np.full(len(idx), CH["agent"])
    fee = np.array([200, 1000, 500])[rng.integers(0, 3, len(idx))]
    tx.add(d.acc[idx], mo.times(day, ch), fee, False, ch, TT["fee"], words.draw(rng, "fee", len(idx)))

    idx, day = _spread(mo, d, main, 0.04 * act[main])
    ch = mo.channels(len(idx), {"pos": 0.5, "online": 0.5})
    amount = _lognormal(rng, 90.0, 1.0, len(idx))
    tx.add(
        d.acc[idx],
        mo.times(day, ch, credit=True),
        _cents(amount),
        True,
        ch,
        TT["refund"],
        words.draw(rng, "online", len(idx)),
    )


def _transfers(mo: Month, tx: Txns, words: Words, d: Demand, main, other, act, tier, older) -> None:
    """Person-to-person and own-account transfers, in and out; some to other banks."""
    rng = mo.rng
    for rows, rate_out, rate_in in ((main, 0.35, 0.2), (other, 0.08, 0.08)):
        for credit, rate in ((False, rate_out), (True, rate_in)):
            idx, day = _spread(mo, d, rows, rate * act[rows])
            ch = mo.channels(len(idx), {"mobile": 0.82, "online": 0.12, "counter": 0.06}, older[idx])
            amount = _lognormal(rng, 500.0 * (1 + tier[idx]), 1.2, len(idx))
            group = np.where(rng.random(len(idx)) < 0.8, 0, 1)
            if credit:
                cp = np.where(group == 0, words.draw(rng, "person", len(idx)), words.draw(rng, "bank_in", len(idx)))
            else:
                wallet = rng.random(len(idx)) < 0.15
                cp = np.where(group == 0, words.draw(rng, "person", len(idx)), words.draw(rng, "bank_out", len(idx)))
                cp = np.where(wallet, words.draw(rng, "wallet", len(idx)), cp)
            ttype = TT["transfer_in"] if credit else TT["transfer_out"]
            tx.add(d.acc[idx], mo.times(day, ch, credit=credit), _cents(amount), credit, ch, ttype, cp)


# Everyday spending at the shops this bank acquires for: a regional bank's customers shop in its
# city, so a share of their card and QR payments lands on its own terminals (median yuan a month
# for an active customer, before the merchant category's ticket size). It feeds the merchant
# points of docs/points.md; with the 45 % of POS purchases above alone a merchant took ≈ ¥2,000
# a month and earned under one point a year.
ACQUIRING_PAYMENTS = 0.5  # payments a month at activity 1
ACQUIRING_TICKET = 300.0  # median yuan before the category's ticket factor (a week's groceries, a family dinner)


def acquiring_purchases(mo: Month, tx: Txns, words: Words, d: Demand, c: Customers, merchants: Merchants) -> None:
    """Personal customers' payments at the bank's own acquiring merchants (open by the month's
    start), by the merchants' popularity. `mo.rng` is the generator's "acquiring" stream, so these
    draws shift no other flow."""
    rng = mo.rng
    main = np.flatnonzero(d.primary & (c.ctype[d.cust] == PERSONAL))
    festive = 1.4 if mo.season["spring_festival"] else 1.0
    idx, day = _spread(mo, d, main, ACQUIRING_PAYMENTS * c.activity[d.cust[main]] * festive)
    merchant = rng.choice(merchants.n, size=len(idx), p=merchants.popularity)
    open_ = merchants.opened[merchant] < mo.lo
    idx, day, merchant = idx[open_], day[open_], merchant[open_]
    median = ACQUIRING_TICKET * (1 + 0.3 * c.stratum[d.cust[idx]]) * np.asarray(TICKET)[merchants.category[merchant]]
    amount = _lognormal(rng, median, 0.8, len(idx))
    ch = mo.channels(len(idx), {"pos": 0.6, "mobile": 0.4})  # the bank's terminal, or the shop's QR code
    tx.add(
        d.acc[idx],
        mo.times(day, ch),
        _cents(amount),
        False,
        ch,
        TT["purchase"],
        words.at("merchant", merchant),
        merchant,
    )


def business_flows(mo: Month, tx: Txns, words: Words, d: Demand, c: Customers) -> None:
    """Firms: receipts and payments, staff payroll paid out; merchants: card settlement credits."""
    rng = mo.rng
    ctype = c.ctype[d.cust]
    scale = np.sqrt(c.aum0[d.cust] / 600_000.0)
    for kind, rows, lam, median in (
        ("firm", np.flatnonzero((ctype == CORPORATE) & d.primary), 3.0, 40_000.0),
        ("shop", np.flatnonzero((ctype == MERCHANT) & d.primary), 2.0, 12_000.0),
    ):
        for credit in (True, False):
            idx, day = _spread(mo, d, rows, np.full(len(rows), lam))
            ch = mo.channels(len(idx), {"online": 0.6, "mobile": 0.25, "counter": 0.15})
            amount = _lognormal(rng, median * scale[idx], 1.2, len(idx))
            group = "bank_in" if credit else "bank_out"
            ttype = TT["transfer_in"] if credit else TT["transfer_out"]
            tx.add(
                d.acc[idx],
                mo.times(day, ch, credit),
                _cents(amount),
                credit,
                ch,
                ttype,
                words.draw(rng, group, len(idx)),
            )
        if kind == "firm":
            day = np.clip(mo.day_of_month(np.full(len(rows), 10)), d.lo[rows], d.hi[rows])
            ch = np.full(len(rows), CH["online"])
            amount = _lognormal(rng, 80_000.0 * scale[rows], 0.4, len(rows))
            tx.add(
                d.acc[rows], mo.times(day, ch), _cents(amount), False, ch, TT["transfer_out"], words.at("staff_pay", 0)
            )
        else:
            idx, day = _spread(mo, d, rows, np.full(len(rows), 8.0))
            ch = np.full(len(idx), CH["online"])
            amount = _lognormal(rng, 3_000.0 * scale[idx], 1.0, len(idx))
            tx.add(
                d.acc[idx],
                mo.times(day, ch, True),
                _cents(amount),
                True,
                ch,
                TT["transfer_in"],
                words.at("settlement", 0),
            )
        idx, day = _spread(mo, d, rows, np.full(len(rows), 0.8))
        ch = np.full(len(idx), CH["agent"])
        tx.add(
            d.acc[idx],
            mo.times(day, ch),
            _cents(_lognormal(rng, 30.0, 0.8, len(idx))),
            False,
            ch,
            TT["fee"],
            words.draw(rng, "fee", len(idx)),
        )


def interest(mo: Month, tx: Txns, words: Words, d: Demand, prev: np.ndarray, rate: np.ndarray) -> None:
    """Quarterly interest on demand deposits, posted on the 20th of Mar/Jun/Sep/Dec (结息日)."""
    if not mo.season["quarter_end"]:
        return
    day = np.full(len(d.acc), mo.day_of_month(np.array(20)))
    rows = np.flatnonzero((day >= d.lo) & (day <= d.hi))
    cents = np.floor(prev[d.acc[rows]] * rate[rows] / 100 * 90 / 360).astype(np.int64)
    ch = np.full(len(rows), CH["agent"])
    tx.add(d.acc[rows], mo.times(day[rows], ch, credit=True), cents, True, ch, TT["interest"], words.at("interest", 0))
