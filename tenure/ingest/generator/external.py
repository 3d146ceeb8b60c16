"""Competitor products customers are known to hold (`external_holdings`).

A few percent of customers (more among the rich) hold a competitor's deposit, wealth product or
fund; some buy one during the window — money leaves, yet most of them stay. Every churner with
cause competitor_product buys one when the drain starts and their transfers go to its issuer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import vocab
from .arrays import dates, decimal, padded, to_cents
from .calendar import Calendar
from .churn import COMPETITOR, Churn
from .customers import PERSONAL, Customers
from .products import Products

HOLD_P = (0.02, 0.06, 0.10, 0.12, 0.15)  # by stratum, at the first date
BUY_P = 0.002  # per customer-month during the window


@dataclass
class External:
    cust: np.ndarray
    product: np.ndarray
    amount: np.ndarray  # yuan
    bought: np.ndarray
    maturity: np.ndarray  # -1 none
    first_m: np.ndarray
    holding_id: pa.Array

    def table(self, rows: np.ndarray, customer_no: pa.Array, product_code: list[str]) -> pa.Table:
        maturity = self.maturity[rows]
        return pa.table(
            {
                "holding_id": self.holding_id.take(pa.array(rows)),
                "customer_no": customer_no.take(pa.array(self.cust[rows])),
                "product_code": pa.array(product_code).take(pa.array(self.product[rows])),
                "amount": decimal(to_cents(self.amount[rows])),
                "bought_on": dates(self.bought[rows]),
                "maturity_date": dates(np.maximum(maturity, 0), null=maturity < 0),
            }
        )


def _issued_in(rng, comp: np.ndarray, launch: np.ndarray, lo: int, hi: int, n: int) -> np.ndarray:
    """n competitor products issued in [lo, hi] (the latest earlier issue when there is none)."""
    a, b = int(np.searchsorted(launch, lo)), int(np.searchsorted(launch, hi, side="right"))
    if b <= a:
        a, b = max(b - 1, 0), max(b, 1)
    return comp[a + rng.integers(0, b - a, n)]


def build_external(rng: np.random.Generator, c: Customers, p: Products, cal: Calendar, churn: Churn) -> External:
    comp = np.flatnonzero(~p.own)
    comp = comp[np.argsort(p.launch[comp], kind="stable")]
    launch, first = p.launch[comp], cal.first_start
    live = comp[(launch < first) & (p.maturity[comp] >= first)]
    personal = (c.ctype == PERSONAL) & (c.onboard < first)
    cust, product, share, bought = [], [], [], []

    known = np.flatnonzero(personal & (churn.cause != COMPETITOR) & (rng.random(c.n) < np.asarray(HOLD_P)[c.stratum]))
    chosen = live[rng.integers(0, len(live), len(known))]
    cust.append(known)
    product.append(chosen)
    share.append(rng.uniform(0.1, 0.6, len(known)))
    bought.append(np.minimum(p.launch[chosen] + rng.integers(0, 20, len(known)), first - 1))

    for m in range(cal.months):
        lo, hi = int(cal.starts[m]), int(cal.ends[m])
        rows = np.flatnonzero(personal & (churn.cause < 0) & (rng.random(c.n) < BUY_P))
        chosen = _issued_in(rng, comp, launch, lo, hi, len(rows))
        cust.append(rows)
        product.append(chosen)
        part = rng.uniform(0.1, 0.4, len(rows))
        share.append(part)
        bought.append(np.clip(p.launch[chosen] + rng.integers(0, 6, len(rows)), lo, hi))
        churn.factor[rows, m + 1 :] *= (1.0 - part)[:, None].astype(np.float32)  # the money left, they stay

    leavers = np.flatnonzero(churn.cause == COMPETITOR)
    start = churn.drain_start[leavers]
    chosen = np.empty(len(leavers), dtype=np.int64)
    when = np.empty(len(leavers), dtype=np.int64)
    before = start < 0
    chosen[before] = live[rng.integers(0, len(live), int(before.sum()))]
    when[before] = np.minimum(p.launch[chosen[before]] + rng.integers(0, 20, int(before.sum())), first - 1)
    for m in np.unique(start[~before]):
        rows = np.flatnonzero(start == m)
        lo, hi = int(cal.starts[m]), int(cal.ends[m])
        chosen[rows] = _issued_in(rng, comp, launch, lo, hi, len(rows))
        when[rows] = np.clip(p.launch[chosen[rows]] + rng.integers(0, 6, len(rows)), lo, hi)
    cust.append(leavers)
    product.append(chosen)
    share.append(rng.uniform(0.5, 0.9, len(leavers)))
    bought.append(when)
    churn.competitor[leavers] = [vocab.COMPETITORS.index(p.issuer[k]) for k in chosen]

    cust_a, product_a, bought_a = np.concatenate(cust), np.concatenate(product), np.concatenate(bought)
    amount = np.maximum(np.round(c.aum0[cust_a] * np.concatenate(share), -3), 1_000.0)
    order = np.lexsort((cust_a, bought_a))
    cust_a, product_a, bought_a, amount = cust_a[order], product_a[order], bought_a[order], amount[order]
    return External(
        cust=cust_a,
        product=product_a,
        amount=amount,
        bought=bought_a,
        maturity=p.maturity[product_a],
        first_m=np.maximum(cal.month_of(bought_a), 0),
        holding_id=padded(np.arange(len(order)) + 1, 9, "H"),
    )
