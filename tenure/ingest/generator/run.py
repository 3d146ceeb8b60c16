"""`generate_bank`: plan the whole bank, then simulate and write it month by month.

Every concern draws from its own random stream (numpy SeedSequence children), so the output is
byte-identical for the same arguments and adding draws in one module does not shift another.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ...core.progress import Progress
from ..schema import PRODUCT_TYPES
from .accounts import TEST_BIN, Accounts, build_accounts
from .adoptions import merge_month, plant_adoptions
from .bank import build_branches, build_staff
from .calendar import Calendar, add_months, is_month_end, last_month_end_before
from .churn import CAUSES, Churn, plan_churn
from .customers import Customers, assign_rms, build_customers
from .external import build_external
from .holdings import Rows, base_holdings
from .merchants import build_merchants
from .money import Simulation
from .people import masked_surnames
from .products import build_products
from .queues import plan_queues, queue_tickets_table
from .repayments import Repayments
from .txns import Words
from .writer import FolderWriter, balances_table, clear, transactions_table

STREAMS = (
    "branches",
    "customers",
    "staff",
    "products",
    "merchants",
    "holdings",
    "churn",
    "external",
    "accounts",
    "words",
    "money",
    "queues",  # a stream added after the others leaves every earlier table unchanged
    "adoptions",  # planted adoption drivers (adoptions.py): new accounts simulated on their own
    "acquiring",  # payments at the bank's own acquiring merchants (flows.acquiring_purchases)
)


class _Silent:
    def advance(self, amount: float = 1) -> None:
        pass

    def describe(self, text: str) -> None:
        pass


def generate_bank(
    *,
    customers: int,
    months: int,
    seed: int,
    out: Path,
    end_date: dt.date | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write `months` business-date folders of a synthetic bank with `customers` customers to
    `out`, plus `out/truth/` (planted churn and the parameters). Returns a summary."""
    if customers < 100 or months < 1:
        raise ValueError("need at least 100 customers and 1 month")
    end = end_date or last_month_end_before(dt.date.today())
    if not is_month_end(end):
        raise ValueError(f"end date {end} is not a month-end")
    started = time.perf_counter()
    bar = progress or _Silent()
    bar.describe("planning the bank")
    cal = Calendar(end, months)
    rng = dict(
        zip(STREAMS, (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(STREAMS))), strict=False)
    )

    branches = build_branches(rng["branches"], customers)
    c = build_customers(rng["customers"], customers, cal, branches)
    staff = build_staff(rng["staff"], branches, np.bincount(c.sub, minlength=len(branches.sub)))
    assign_rms(rng["staff"], c, branches, staff.rms_of_sub)
    p = build_products(rng["products"], cal)
    merchants = build_merchants(rng["merchants"], c, branches, cal)
    base = Rows()
    base_holdings(rng["holdings"], c, p, cal, base)
    held = base.arrays()
    td = p.ptype[held["product"]] == PRODUCT_TYPES.index("time_deposit")
    churn = plan_churn(rng["churn"], c, cal, held["cust"][td], held["close_day"][td])
    ext = build_external(rng["external"], c, p, cal, churn)
    sub_number = 1_000 + np.arange(len(branches.sub))
    a = build_accounts(rng["accounts"], c, p, cal, churn, base, sub_number)
    words = Words(masked_surnames(rng["words"], 400), merchants.name.to_pylist())
    sim = Simulation(rng["money"], c, a, p, churn, merchants, ext, words, cal, rng["acquiring"])
    queues = plan_queues(rng["queues"], branches)
    planted, adopted = plant_adoptions(rng["adoptions"], c, p, cal, churn, a, sub_number)
    planted_sim = Simulation(rng["adoptions"], c, planted, p, churn, merchants, ext, words, cal)
    account_id = pa.concat_arrays([a.account_id, planted.account_id])
    repayments = Repayments.of([(a, sim.due), (planted, planted_sim.due)], p)  # no draws: no stream

    out = Path(out)
    clear(out)
    writer = FolderWriter(out)
    word_array = pa.array(words.words, pa.string())
    product_launch = np.maximum(cal.month_of(p.launch), 0)
    try:
        for m, day in enumerate(cal.dates):
            bar.describe(day.isoformat())
            moved, new_city = churn.moves[m]
            if len(moved):
                c.relocate(moved, new_city, rng["customers"])
            result = merge_month(sim.month(m), planted_sim.month(m), a.n)
            if m:
                reassessed = c.reassessed(int(cal.ends[m - 1]), int(cal.ends[m]))
                people = np.union1d(np.union1d(np.flatnonzero(c.onboard_m == m), moved), reassessed)
            else:
                people = np.flatnonzero(c.onboard_m == 0)
            tables = {
                "products": p.table(np.flatnonzero(product_launch == m)),
                "customers": c.table(people, branches, staff.employee_no, int(cal.ends[m])),
                "accounts": pa.concat_tables(
                    [
                        accounts.table(_account_rows(accounts, cal, m), int(cal.ends[m]), c.number, p.code)
                        for accounts in (a, planted)
                    ]
                ),
                "merchants": merchants.table(np.flatnonzero(merchants.first_m == m), c.number, branches),
                "external_holdings": ext.table(np.flatnonzero(ext.first_m == m), c.number, p.code),
                "balances": balances_table(result.open_rows, result.balance, result.adb, account_id),
                "transactions": transactions_table(result.txns, day, account_id, word_array, merchants.number),
                "queue_tickets": queue_tickets_table(rng["queues"], queues, c, cal, m),
                "repayments": repayments.table(result.open_rows, result.balance, account_id, int(cal.ends[m])),
            }
            if m == 0:
                tables["branches"] = branches.table()
                tables["staff"] = staff.table(branches)
            del result
            writer.submit(day, tables)
            del tables
            bar.advance()
    finally:
        writer.close()
    truth = _write_truth(out, c, churn, cal, seed, writer.rows, adopted)
    return {
        "out": str(out),
        "business_dates": [d.isoformat() for d in cal.dates],
        "customers": customers,
        "months": months,
        "seed": seed,
        "rows": writer.rows,
        "churners": truth,
        "seconds": round(time.perf_counter() - started, 2),
    }


def _account_rows(a: Accounts, cal: Calendar, m: int) -> np.ndarray:
    """Rows of month m's accounts file: opened, closed, or a wealth period that ended and renewed."""
    changed = (a.first_m == m) | (a.close_m == m)
    if m:
        changed[a.rolled(int(cal.ends[m - 1]), int(cal.ends[m]))] = True
    return np.flatnonzero(changed)


def _write_truth(out: Path, c: Customers, churn: Churn, cal: Calendar, seed: int, rows: dict, adopted: dict) -> int:
    """truth/churn.csv (who churns, why, when the drain began, when they left or will leave) and
    truth/manifest.json (the parameters); never inside a business-date folder."""
    folder = out / "truth"
    folder.mkdir(parents=True, exist_ok=True)
    who = np.flatnonzero(churn.cause >= 0)
    who = who[np.argsort(c.number.take(pa.array(who)).to_numpy(zero_copy_only=False), kind="stable")]
    start = add_months(np.full(len(who), cal.first_start), churn.drain_start[who])
    numbers = c.number.take(pa.array(who)).to_pylist()
    lines = ["customer_no,cause,drain_start,left_on"]
    for k, row in enumerate(who):
        drain = np.datetime64(int(start[k]), "D")
        left = np.datetime64(int(churn.left_on[row]), "D")
        lines.append(f"{numbers[k]},{CAUSES[churn.cause[row]]},{drain},{left}")
    (folder / "churn.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    manifest = {
        "generator": "tenure.ingest.generator",
        "customers": c.n,
        "months": cal.months,
        "seed": seed,
        "end_date": cal.end.isoformat(),
        "business_dates": [d.isoformat() for d in cal.dates],
        "card_bin": str(TEST_BIN),
        "churn_annual_rate": 0.05,
        "churners": len(who),
        "churners_by_cause": {cause: int((churn.cause == k).sum()) for k, cause in enumerate(CAUSES)},
        "left_within_window": int((churn.left_on[who] <= int(cal.ends[-1])).sum()),
        "rows": rows,
        "planted_adoptions": adopted,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(who)
