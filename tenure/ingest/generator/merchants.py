"""Acquiring merchants in the five categories of docs/data-formats.md (一般类 批发类 餐娱类 车房类 民生类).

Discount rates follow China's 2016 card-fee reform levels: 0.60 % for general and dining, 0.38 %
for livelihood; wholesale and auto/real-estate merchants are capped per transaction (26/30 and
35/40 yuan). About 15 % of merchants have a negotiated preferential rate around the 0.08 % line
the seed's points table distinguishes ("扣率优惠低于/高于0.08%").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import MERCHANT_CATEGORIES
from .arrays import dates, decimal, flags, null_where, padded, pick
from .bank import Branches
from .calendar import Calendar
from .customers import MERCHANT, Customers
from .people import shop_names

CATEGORY_P = (0.30, 0.10, 0.25, 0.10, 0.25)  # general, wholesale, dining, auto_realty, livelihood
STANDARD_RATE = (6000, 5000, 6000, 5000, 3800)  # % × 10000
CAPS = ((0,), (26, 30), (0,), (35, 40), (0,))
PREFERENTIAL = (500, 600, 700, 900, 1000, 1200)  # 0.05 % … 0.12 %
TICKET = (1.0, 6.0, 1.8, 40.0, 0.7)  # typical purchase size relative to an everyday purchase


@dataclass
class Merchants:
    n: int
    customer: np.ndarray  # customer row, -1 when the merchant banks elsewhere
    category: np.ndarray
    rate: np.ndarray  # % × 10000
    cap: np.ndarray  # yuan, 0 = not capped
    branch_row: np.ndarray
    opened: np.ndarray
    first_m: np.ndarray
    popularity: np.ndarray
    number: pa.Array
    name: pa.Array

    def table(self, rows: np.ndarray, customer_no: pa.Array, branches: Branches) -> pa.Table:
        cust = self.customer[rows]
        capped = self.cap[rows] > 0
        return pa.table(
            {
                "merchant_no": self.number.take(pa.array(rows)),
                "customer_no": null_where(customer_no.take(pa.array(np.maximum(cust, 0))), cust < 0),
                "name": self.name.take(pa.array(rows)),
                "category": pick(MERCHANT_CATEGORIES, self.category[rows]),
                "discount_rate": decimal(self.rate[rows], 4),
                "capped": flags(capped),
                "cap_amount": decimal(self.cap[rows] * 100, 2, null=~capped),
                "branch_code": pick(branches.code, self.branch_row[rows]),
                "opened_on": dates(self.opened[rows]),
            }
        )


def build_merchants(rng: np.random.Generator, c: Customers, branches: Branches, cal: Calendar) -> Merchants:
    """One shop per merchant customer (a tenth run two), plus shops that bank elsewhere; merchant
    customers take the name of their first shop."""
    owners = np.flatnonzero(c.ctype == MERCHANT)
    owners = np.concatenate([owners, owners[rng.random(len(owners)) < 0.1]])
    standalone = int(len(owners) * 0.15) + 1
    customer = np.concatenate([owners, np.full(standalone, -1)])
    n = len(customer)
    category = rng.choice(len(MERCHANT_CATEGORIES), size=n, p=CATEGORY_P)
    rate = np.asarray(STANDARD_RATE)[category]
    preferential = rng.random(n) < 0.15
    rate[preferential] = np.asarray(PREFERENTIAL)[rng.integers(0, len(PREFERENTIAL), int(preferential.sum()))]
    cap = np.array([CAPS[k][rng.integers(0, len(CAPS[k]))] for k in category], dtype=np.int64)
    sub = np.where(customer >= 0, c.sub[np.maximum(customer, 0)], rng.integers(0, len(branches.sub), n))
    onboard = np.where(customer >= 0, c.onboard[np.maximum(customer, 0)], cal.first_start - rng.integers(30, 3000, n))
    first = cal.first_start
    past = onboard + (rng.random(n) * np.maximum(first - 1 - onboard, 0) * 0.3).astype(np.int64)
    opened = np.where(onboard < first, past, np.minimum(onboard + rng.integers(0, 10, n), cal.ends[-1]))
    name = shop_names(rng, category, MERCHANT_CATEGORIES)
    first_shop = np.unique(customer[customer >= 0], return_index=True)
    mask = np.zeros(c.n, dtype=bool)
    mask[first_shop[0]] = True
    c.name = pc.replace_with_mask(c.name, pa.array(mask), name.take(pa.array(first_shop[1])))
    busy = np.array([1.0, 0.4, 1.5, 0.1, 2.0])[category] * rng.lognormal(0.0, 1.0, n)
    return Merchants(
        n=n,
        customer=customer,
        category=category,
        rate=rate,
        cap=cap,
        branch_row=branches.sub[sub],
        opened=opened,
        first_m=np.maximum(cal.month_of(opened), 0),
        popularity=busy / busy.sum(),
        number=padded(rng.permutation(n) * 7 + 1, 12, "898"),
        name=name,
    )
