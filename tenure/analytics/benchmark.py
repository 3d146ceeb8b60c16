"""`tenure bench pipeline`: a synthetic lake of N customers, the nightly on it, and its floor.

The lake is written directly (vectorised NumPy → Parquet, with the `ImportedFile` rows that vouch
for it) so the benchmark measures the pipeline, not the importer. The floor is one DuckDB pass
that reads every column the pipeline reads from every file it reads, once; the ratio
nightly / floor says how much work the pipeline adds to merely reading its inputs.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tenure.analytics.dates import month_end_back
from tenure.ingest import summaries
from tenure.ingest.models import ImportedFile
from tenure.lake import (
    current_partitions,
    duckdb_connect,
    partition_date,
    partition_digest,
    partition_file,
    write_partition,
)

LAST_DATE = dt.date(2025, 12, 31)
NEXT_DATE = dt.date(2026, 1, 31)  # the business date after LAST_DATE, for the incremental nightly
TYPES = np.array(["current", "savings", "time_deposit", "wealth", "fund", "insurance", "loan", "credit_card"])
TYPE_WEIGHTS = np.array([0.34, 0.22, 0.12, 0.08, 0.05, 0.04, 0.07, 0.08])
TYPE_SCALE = np.array([2e4, 5e4, 1.5e5, 2e5, 1e5, 8e4, 3e5, 5e3])
CHANNELS = np.array(["counter", "atm", "mobile", "online", "pos", "agent"])
TXN_TYPES = np.array(["deposit", "withdrawal", "transfer_in", "transfer_out", "purchase", "payroll", "interest"])
MONEY = pa.decimal128(18, 2)


def _money(values: np.ndarray) -> pa.Array:
    return pa.array(np.round(values, 2).astype(np.float64)).cast(MONEY)


def _write(table: str, day: dt.date, data: pa.Table) -> None:
    """One partition, as an import writes it (transactions with their summaries); vouched for
    unless it is the month after LAST_DATE, which `vouch_next_date` imports later."""
    digest = secrets.token_hex(32)
    data = data.append_column("business_date", pa.array([day] * data.num_rows, pa.date32()))
    write_partition(table, day, data, digest)
    if table == summaries.SOURCE:
        summaries.write_summaries(day, data, digest)
    if day <= LAST_DATE:
        _vouch(table, day, digest, data.num_rows)


def _vouch(table: str, day: dt.date, digest: str, rows: int) -> None:
    ImportedFile.objects.update_or_create(
        business_date=day, table=table, defaults={"file_name": f"{table}.parquet", "sha256": digest, "rows": rows}
    )


def vouch_next_date() -> None:
    """Import NEXT_DATE: the ledger now vouches for its partitions (written with the lake)."""
    for table in ("balances", "transactions"):
        path = partition_file(table, NEXT_DATE)
        _vouch(table, NEXT_DATE, partition_digest(table, NEXT_DATE) or "", pq.read_metadata(path).num_rows)


def forget_next_date() -> None:
    """Back to the lake as of LAST_DATE (before `vouch_next_date`)."""
    ImportedFile.objects.filter(business_date=NEXT_DATE).delete()


def write_synthetic_lake(customers: int, months: int = 13, txns_per_customer_month: int = 4, seed: int = 7) -> int:
    """Write the lake of `months` months up to LAST_DATE, plus the month after it (NEXT_DATE) not
    yet vouched for; returns the number of transactions up to LAST_DATE. Dimensions are all in
    the first month. The next month's draws come after every other, so they change nothing before."""
    rng = np.random.default_rng(seed)
    dates = [month_end_back(LAST_DATE, k) for k in range(months - 1, -2, -1)]
    first = dates[0]
    branch = np.char.add("B", (rng.integers(0, 60, customers)).astype(str))
    customer_no = np.char.add("C", np.char.zfill(np.arange(customers).astype(str), 9))
    _write("branches", first, pa.table({"branch_code": pa.array(np.unique(branch))}))
    product_codes = np.char.add("P_", TYPES)
    products = pa.table(
        {
            "product_code": pa.array(np.append(product_codes, "X_wealth")),
            "product_type": pa.array(np.append(TYPES, "wealth")),
            "issuer": pa.array(["BANK"] * len(TYPES) + ["RIVAL"]),
            "maturity_date": pa.array([None] * len(TYPES) + [LAST_DATE + dt.timedelta(days=40)], pa.date32()),
        }
    )
    _write("products", first, products)
    onboarded = np.datetime64(first) - rng.integers(30, 6000, customers).astype("timedelta64[D]")
    _write(
        "customers",
        first,
        pa.table(
            {
                "customer_no": pa.array(customer_no),
                "customer_type": pa.array(np.full(customers, "personal")),
                "onboarded_on": pa.array(onboarded),
                "branch_code": pa.array(branch),
            }
        ),
    )
    per_customer = 1 + rng.poisson(1.2, customers)
    owner = np.repeat(np.arange(customers), per_customer)
    n_accounts = len(owner)
    kind = rng.choice(len(TYPES), n_accounts, p=TYPE_WEIGHTS)
    account_id = np.char.add("A", np.char.zfill(np.arange(n_accounts).astype(str), 10))
    _write(
        "accounts",
        first,
        pa.table(
            {
                "account_id": pa.array(account_id),
                "customer_no": pa.array(customer_no[owner]),
                "product_code": pa.array(product_codes[kind]),
                "status": pa.array(np.full(n_accounts, "active")),
            }
        ),
    )
    holders = rng.choice(customers, customers // 20, replace=False)
    _write(
        "external_holdings",
        first,
        pa.table(
            {
                "holding_id": pa.array(np.char.add("H", holders.astype(str))),
                "customer_no": pa.array(customer_no[holders]),
                "product_code": pa.array(np.full(len(holders), "X_wealth")),
                "amount": _money(rng.lognormal(11, 1, len(holders))),
            }
        ),
    )
    # Heavy-tailed wealth per customer times a per-account scale, then a monthly random walk.
    level = rng.lognormal(0, 1.6, customers)[owner] * TYPE_SCALE[kind]
    total_txns = 0
    for day in dates:
        level = level * rng.lognormal(0.0, 0.12, n_accounts)
        adb = level * rng.uniform(0.85, 1.1, n_accounts)
        _write(
            "balances",
            day,
            pa.table({"account_id": pa.array(account_id), "balance": _money(level), "avg_daily_balance": _money(adb)}),
        )
        n = customers * txns_per_customer_month
        start = np.datetime64(dt.datetime.combine(day.replace(day=1), dt.time()), "s")
        seconds = rng.integers(0, day.day * 86400, n).astype("timedelta64[s]")
        txn_type = rng.choice(len(TXN_TYPES), n, p=[0.15, 0.15, 0.15, 0.2, 0.2, 0.1, 0.05])
        direction = np.where(np.isin(txn_type, [0, 2, 5, 6]), "C", "D")
        total_txns += n if day <= LAST_DATE else 0
        _write(
            "transactions",
            day,
            pa.table(
                {
                    "txn_id": pa.array(np.char.add(f"T{day:%Y%m}_", np.arange(n).astype(str))),
                    "account_id": pa.array(account_id[rng.integers(0, n_accounts, n)]),
                    "txn_time": pa.array(start + seconds),
                    "amount": _money(rng.lognormal(6, 1.5, n)),
                    "direction": pa.array(direction),
                    "channel": pa.array(CHANNELS[rng.integers(0, len(CHANNELS), n)]),
                    "txn_type": pa.array(TXN_TYPES[txn_type]),
                    "counterparty": pa.array(np.char.add("PAYER", rng.integers(0, 500, n).astype(str))),
                }
            ),
        )
    return total_txns


FLOOR_COLUMNS = {
    "customers": ("customer_no", "customer_type", "onboarded_on", "branch_code"),
    "products": ("product_code", "product_type", "issuer", "maturity_date"),
    "accounts": ("account_id", "customer_no", "product_code", "status"),
    "external_holdings": ("holding_id", "customer_no", "product_code", "amount"),
    "balances": ("account_id", "balance", "avg_daily_balance"),
    "transactions": ("account_id", "txn_time", "amount", "direction", "channel", "txn_type", "counterparty"),
}


def floor_pass(day: dt.date, *, only_day: bool = False) -> float:
    """Seconds for one DuckDB scan of every column the pipeline reads, from every raw file it reads
    for `day` (`only_day`: from that date's partitions alone, the floor of an incremental night)."""
    oldest = {"transactions": day - dt.timedelta(days=365), "balances": month_end_back(day, 14)}
    con = duckdb_connect()
    started = time.perf_counter()
    for table, columns in FLOOR_COLUMNS.items():
        after = day - dt.timedelta(days=1) if only_day else oldest.get(table, dt.date.min)
        files = [str(p) for p in current_partitions(table) if after < partition_date(p) <= day]
        if files:
            con.execute(f"SELECT count(*), sum(hash({', '.join(columns)})) FROM read_parquet(?)", [files]).fetchall()
    return round(time.perf_counter() - started, 3)
