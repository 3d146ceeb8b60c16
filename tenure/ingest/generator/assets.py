"""Month flows of the non-demand accounts: time deposits, investments, loans and credit cards.

Each function appends that month's transactions and returns what the balance update needs.
Time deposits and loans reconcile exactly with their transactions; investment balances also move
with the market (a fund's value is not a transaction).
"""

from __future__ import annotations

import numpy as np

from .accounts import Accounts
from .calendar import add_months
from .customers import Customers
from .merchants import TICKET, Merchants
from .products import Products
from .txns import CH, TT, Month, Txns, Words


def time_deposits(
    mo: Month, tx: Txns, words: Words, a: Accounts, p: Products, rows: np.ndarray, exit_word: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Opening deposits and maturities (or early withdrawals). Returns (closed rows, amount paid out)
    so that money not leaving the bank can reappear in the customer's current account."""
    opening = rows[a.open_day[rows] >= mo.lo]
    ch = mo.channels(len(opening), {"mobile": 0.6, "counter": 0.4})
    cents = np.rint(a.amount[opening] * 100).astype(np.int64)
    tx.add(
        opening, mo.times(a.open_day[opening], ch, True), cents, True, ch, TT["deposit"], words.at("own_transfer", 0)
    )

    closing = rows[a.close_day[rows] <= mo.hi]
    principal = np.rint(a.amount[closing] * 100)
    term = p.term[a.product[closing]]
    natural = add_months(a.open_day[closing], term) == a.close_day[closing]
    rate = np.array([r or 0.0 for r in p.rate])[a.product[closing]]
    years = np.where(natural, term / 12.0, (a.close_day[closing] - a.open_day[closing]) / 360.0)
    interest = np.floor(principal * np.where(natural, rate, 0.05) / 100 * years).astype(np.int64)
    day = a.close_day[closing]
    ch = np.full(len(closing), CH["agent"])
    tx.add(closing, mo.times(day, ch, True), interest, True, ch, TT["interest"], words.at("interest", 0))
    payout = principal.astype(np.int64) + interest
    cp = exit_word[a.cust[closing]]
    leaving = cp >= 0
    cp = np.where(leaving, cp, words.at("own_transfer", 0))
    ch = mo.channels(len(closing), {"mobile": 0.6, "counter": 0.4})
    tx.add(closing, mo.late(day), payout, False, ch, TT["transfer_out"], cp)
    return closing[~leaving], payout[~leaving]


def investments(
    mo: Month, tx: Txns, a: Accounts, rows: np.ndarray, prev: np.ndarray, ret: np.ndarray, drain: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Buys and redemptions of wealth, fund and insurance holdings. `drain` scales the holding
    (churn, dips). Returns the market-moved value (cents) of each row before this month's flows,
    and the redemptions as (rows, cents, time)."""
    rng = mo.rng
    market = np.rint(prev[rows] * (1.0 + ret)).astype(np.int64)
    target = market * drain
    trade = rng.random(len(rows))
    target = np.where(trade < 0.025, target * rng.uniform(1.1, 1.3, len(rows)), target)
    target = np.where((trade >= 0.025) & (trade < 0.05), target * rng.uniform(0.6, 0.9, len(rows)), target)
    opening = a.open_day[rows] >= mo.lo
    target = np.where(opening, a.amount[rows] * 100, target)
    closing = a.close_day[rows] <= mo.hi
    target = np.where(closing, 0, np.rint(target)).astype(np.int64)
    flow = target - market
    lo, hi = np.maximum(a.open_day[rows], mo.lo), np.minimum(a.close_day[rows], mo.hi)
    day = np.where(closing, hi, np.where(opening, lo, mo.days_in(lo, hi)))
    ch = mo.channels(len(rows), {"mobile": 0.7, "online": 0.15, "counter": 0.15})
    buy, sell = flow > 0, flow < 0
    time = mo.times(day, ch, True)
    tx.add(rows[buy], time[buy], flow[buy], True, ch[buy], TT["product_buy"])
    tx.add(rows[sell], time[sell], -flow[sell], False, ch[sell], TT["product_redeem"])
    return market, (rows[sell], -flow[sell], time[sell])


def redemptions_out(mo: Month, tx: Txns, words: Words, current: np.ndarray, cents, time, exit_word) -> None:
    """Redeemed money of a leaving customer passes through the current account to the competitor:
    a credit from the product, then the same amount out the same evening."""
    ch = mo.channels(len(current), {"mobile": 0.8, "counter": 0.2})
    tx.add(current, time, cents, True, ch, TT["transfer_in"], words.at("own_redeem", 0))
    tx.add(current, mo.late(time // 86_400), cents, False, ch, TT["transfer_out"], exit_word)


def loans(mo: Month, tx: Txns, words: Words, a: Accounts, p: Products, rows: np.ndarray, prev: np.ndarray) -> None:
    """Disbursement in the opening month, then monthly equal-principal instalments by direct debit;
    leavers repay what is left on the day they leave."""
    opening = rows[a.open_day[rows] >= mo.lo]
    ch = np.full(len(opening), CH["counter"])
    cents = np.rint(a.amount[opening] * 100).astype(np.int64)
    tx.add(opening, mo.times(a.open_day[opening], ch), cents, False, ch, TT["transfer_out"], words.at("loan_out", 0))
    running = rows[a.open_day[rows] < mo.lo]
    opened = a.open_day[running].astype("datetime64[D]")
    dom = (opened - opened.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    day = mo.day_of_month(dom + 1)
    due = day <= np.minimum(a.close_day[running], mo.hi)
    inst = running[due]
    principal = np.minimum(np.rint(a.monthly[inst] * 100).astype(np.int64), prev[inst])
    rate = np.array([r or 0.0 for r in p.rate])[a.product[inst]]
    interest = np.floor(prev[inst] * rate / 1200).astype(np.int64)
    ch = np.full(len(inst), CH["agent"])
    time = mo.times(day[due], ch, True)
    tx.add(inst, time, interest, False, ch, TT["interest"])
    tx.add(inst, time + 1, principal + interest, True, ch, TT["repayment"], words.at("loan_in", 0))
    closing = running[a.close_day[running] <= mo.hi]
    paid = np.zeros(a.n, dtype=np.int64)
    paid[inst] = principal
    rest = prev[closing] - paid[closing]
    ch = mo.channels(len(closing), {"mobile": 0.5, "counter": 0.5})
    tx.add(closing, mo.late(a.close_day[closing]), rest, True, ch, TT["repayment"], words.at("loan_in", 0))


def credit_cards(
    mo: Month,
    tx: Txns,
    words: Words,
    a: Accounts,
    c: Customers,
    m: Merchants,
    rows: np.ndarray,
    prev: np.ndarray,
    due_dom: np.ndarray,
    revolver: np.ndarray,
) -> None:
    """Card spending, the monthly repayment of last statement (in full by most, partly by
    revolvers who then pay interest) and the final repayment when the card is closed."""
    rng = mo.rng
    cust = a.cust[rows]
    lo, hi = np.maximum(a.open_day[rows], mo.lo), np.minimum(a.close_day[rows], mo.hi)
    festive = 1.4 if mo.season["spring_festival"] else 1.0
    k = rng.poisson(1.5 * c.activity[cust] * festive)
    idx = np.repeat(np.arange(len(rows)), k)
    day = mo.days_in(lo[idx], hi[idx])
    ch = mo.channels(len(idx), {"pos": 0.5, "online": 0.35, "mobile": 0.15})
    amount = 150.0 * (1 + c.stratum[cust[idx]]) * rng.lognormal(0.0, 1.1, len(idx))
    ours = (ch == CH["pos"]) & (rng.random(len(idx)) < 0.45)
    merchant = np.where(ours, rng.choice(m.n, size=len(idx), p=m.popularity), -1)
    ours &= m.opened[np.maximum(merchant, 0)] < mo.lo
    merchant = np.where(ours, merchant, -1)
    amount = np.where(ours, amount * np.asarray(TICKET)[m.category[np.maximum(merchant, 0)]], amount)
    cp = np.where(ch == CH["pos"], words.draw(rng, "pos", len(idx)), words.draw(rng, "online", len(idx)))
    cp = np.where(ours, words.at("merchant", np.maximum(merchant, 0)), cp)
    cents = np.maximum(np.rint(amount * 100), 1).astype(np.int64)
    tx.add(rows[idx], mo.times(day, ch), cents, False, ch, TT["purchase"], cp, merchant)

    day = mo.day_of_month(due_dom[rows])
    due = (day >= lo) & (day <= hi) & (prev[rows] > 0)
    pay = np.where(revolver[rows], np.floor(prev[rows] * rng.uniform(0.1, 0.5, len(rows))), prev[rows]).astype(np.int64)
    ch = mo.channels(len(rows), {"mobile": 0.7, "agent": 0.3})
    time = mo.times(day, ch, True)
    tx.add(rows[due], time[due], pay[due], True, ch[due], TT["repayment"], words.at("card_in", 0))
    owed = np.floor((prev[rows] - pay) * 0.015).astype(np.int64)
    charge = due & revolver[rows]
    ich = np.full(len(rows), CH["agent"])
    tx.add(rows[charge], time[charge] + 60, owed[charge], False, ich[charge], TT["interest"])
    closing = a.close_day[rows] <= mo.hi
    spent = np.bincount(idx, weights=cents, minlength=len(rows)).astype(np.int64)
    rest = prev[rows] + spent - np.where(due, pay, 0) + np.where(charge, owed, 0)
    ch = np.full(len(rows), CH["mobile"])
    tx.add(
        rows[closing], mo.late(hi[closing]), rest[closing], True, ch[closing], TT["repayment"], words.at("card_in", 0)
    )
