"""The repayment schedule of loans and credit cards (extract table `repayments`), as core banking
would hand it over at each business date: the next repayment of every open loan and credit card that
owes something.

It is what the simulation does next month (`assets.loans`, `assets.credit_cards`): a loan repays an
equal-principal instalment plus the month's interest on the day of the month it was opened (the
month's last day when shorter); a credit card's statement balance is due on its payment day. It is
derived from the accounts and the month-end balances and draws no random numbers, so adding it
changes no other table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..schema import PRODUCT_TYPES
from .accounts import Accounts
from .arrays import dates, decimal
from .products import Products

LOAN, CARD = PRODUCT_TYPES.index("loan"), PRODUCT_TYPES.index("credit_card")


@dataclass(frozen=True)
class Repayments:
    """Per account of the whole bank (its rows in the order the balances use): what a repayment needs."""

    ptype: np.ndarray
    day_of_month: np.ndarray  # 1–31: the loan's opening day, the card's payment day
    monthly: np.ndarray  # yuan: a loan's principal instalment
    rate: np.ndarray  # % a year: the loan's product rate (interest of the month)

    @classmethod
    def of(cls, parts: Sequence[tuple[Accounts, np.ndarray]], p: Products) -> Repayments:
        """`parts`: each block of accounts with its cards' payment days (`Simulation.due`), in the
        order the month's balances number them."""
        opened = np.concatenate([a.open_day for a, _ in parts]).astype("datetime64[D]")
        opening_dom = (opened - opened.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
        ptype = np.concatenate([a.ptype for a, _ in parts])
        card_dom = np.concatenate([np.asarray(due, dtype=np.int64) for _, due in parts])
        product_rate = np.array([r or 0.0 for r in p.rate], dtype=np.float64)
        return cls(
            ptype=ptype,
            day_of_month=np.where(ptype == CARD, card_dom, opening_dom),
            monthly=np.concatenate([a.monthly for a, _ in parts]),
            rate=product_rate[np.concatenate([a.product for a, _ in parts])],
        )

    def table(self, open_rows: np.ndarray, balance: np.ndarray, account_id: pa.Array, business_day: int) -> pa.Table:
        """The schedule at `business_day` (a month-end): the next month's repayment of each open loan
        and card with a balance owed (`balance` in cents, per open row)."""
        owing = np.isin(self.ptype[open_rows], (LOAN, CARD)) & (balance > 0)
        rows, owed = open_rows[owing], balance[owing]
        month = np.datetime64(int(business_day), "D").astype("datetime64[M]")
        start = (month + 1).astype("datetime64[D]")
        length = int(((month + 2).astype("datetime64[D]") - start).astype(np.int64))
        due = start.astype(np.int64) + np.minimum(self.day_of_month[rows], length) - 1
        loan = self.ptype[rows] == LOAN
        principal = np.minimum(np.rint(self.monthly[rows] * 100).astype(np.int64), owed)
        interest = np.floor(owed * self.rate[rows] / 1200).astype(np.int64)
        amount = np.where(loan, principal + interest, owed)
        keep = amount > 0
        return pa.table(
            {
                "account_id": pa.DictionaryArray.from_arrays(pa.array(rows[keep].astype(np.int32)), account_id),
                "due_date": dates(due[keep]),
                "amount_due": decimal(amount[keep]),
            }
        )
