"""A tiny hand-written bank written straight into a lake, with the `ImportedFile` rows that vouch for it.

Four month-ends (2025-01-31 … 2025-04-30). Balances are chosen so every feature, tier and level
can be computed by hand; see the expectations in test_features.py / test_tiers_pyramid.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pyarrow as pa

from tenure.ingest.models import ImportedFile
from tenure.lake import write_partition

D1, D2, D3, D4 = dt.date(2025, 1, 31), dt.date(2025, 2, 28), dt.date(2025, 3, 31), dt.date(2025, 4, 30)
DATES = (D1, D2, D3, D4)

MONEY = pa.decimal128(18, 2)
RATE = pa.decimal128(18, 4)
TYPES = {
    "branches": {"branch_code": pa.string(), "parent_code": pa.string(), "level": pa.string()},
    "products": {
        "product_code": pa.string(),
        "product_type": pa.string(),
        "risk_rating": pa.string(),
        "rate": RATE,
        "issuer": pa.string(),
        "maturity_date": pa.date32(),
    },
    "customers": {
        "customer_no": pa.string(),
        "customer_type": pa.string(),
        "onboarded_on": pa.date32(),
        "branch_code": pa.string(),
        "rm_employee_no": pa.string(),
        "mobile_bidx": pa.string(),
    },
    "accounts": {
        "account_id": pa.string(),
        "customer_no": pa.string(),
        "product_code": pa.string(),
        "opened_on": pa.date32(),
        "status": pa.string(),
    },
    "external_holdings": {
        "holding_id": pa.string(),
        "customer_no": pa.string(),
        "product_code": pa.string(),
        "amount": MONEY,
        "bought_on": pa.date32(),
        "maturity_date": pa.date32(),
    },
    "balances": {"account_id": pa.string(), "balance": MONEY, "avg_daily_balance": MONEY},
    "transactions": {
        "txn_id": pa.string(),
        "account_id": pa.string(),
        "txn_time": pa.timestamp("us"),
        "amount": MONEY,
        "direction": pa.string(),
        "channel": pa.string(),
        "txn_type": pa.string(),
        "counterparty": pa.string(),
        "merchant_no": pa.string(),
    },
}


def _convert(kind: pa.DataType, value):
    if value is None:
        return None
    if pa.types.is_decimal(kind):
        return Decimal(str(value))
    if pa.types.is_date(kind) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if pa.types.is_timestamp(kind) and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def write_table(table: str, day: dt.date, rows: list[dict]) -> None:
    """Write one partition (with a `business_date` column, as the importer does) and vouch for it."""
    types = TYPES[table]
    columns = {name: pa.array([_convert(kind, r.get(name)) for r in rows], type=kind) for name, kind in types.items()}
    columns["business_date"] = pa.array([day] * len(rows), type=pa.date32())
    data = pa.table(columns)
    digest = hashlib.sha256(f"{table}{day}{rows}".encode()).hexdigest()
    write_partition(table, day, data, digest)
    ImportedFile.objects.update_or_create(
        business_date=day,
        table=table,
        defaults={"file_name": f"{table}.csv", "sha256": digest, "rows": len(rows)},
    )


def month_balances(day: dt.date, balances: dict[str, object]) -> list[dict]:
    """Balance rows; a value is a balance or (balance, average daily balance)."""
    rows = []
    for account_id, value in balances.items():
        balance, adb = value if isinstance(value, tuple) else (value, value)
        rows.append({"account_id": account_id, "balance": balance, "avg_daily_balance": adb})
    return rows


def txn(txn_id, account_id, when, amount, direction, channel, txn_type, counterparty=None) -> dict:
    return {
        "txn_id": txn_id,
        "account_id": account_id,
        "txn_time": when,
        "amount": amount,
        "direction": direction,
        "channel": channel,
        "txn_type": txn_type,
        "counterparty": counterparty,
    }


# AUM path per customer over D1..D4 (balance = average daily balance unless given as a pair).
BALANCES = {
    D1: {"A1": 900_000, "A2": 100_000, "A3": 120_000, "A4L": 500_000, "A6": 2_000_000, "A7": 50},
    D2: {"A1": 950_000, "A2": 100_000, "A3": 110_000, "A4L": 490_000, "A6": 1_500_000, "A7": 50},
    D3: {"A1": 1_000_000, "A2": 100_000, "A3": 105_000, "A4L": 480_000, "A6": 1_800_000, "A7": 50},
    D4: {
        "A1": 1_000_000,
        "A1W": 200_000,
        "A2": 100_000,
        "A3": (99_999.99, 104_000),
        "A4L": 470_000,
        "A4C": 1_000,
        "A5": 300_000,
        "A6": 1_000_000,
        "A7": 50,
    },
}


def write_bank() -> None:
    """The whole tiny bank: 7 customers in two branches, four month-ends."""
    write_table(
        "branches", D1, [{"branch_code": "HO", "level": "head_office"}, {"branch_code": "B1"}, {"branch_code": "B2"}]
    )
    write_table(
        "products",
        D1,
        [
            {"product_code": "CUR", "product_type": "current", "issuer": "BANK"},
            {"product_code": "SAV", "product_type": "savings", "issuer": "BANK"},
            {"product_code": "WM1", "product_type": "wealth", "issuer": "BANK"},
            {"product_code": "LN1", "product_type": "loan", "issuer": "BANK"},
            {"product_code": "CC1", "product_type": "credit_card", "issuer": "BANK"},
            {"product_code": "XWM", "product_type": "wealth", "issuer": "RIVAL", "maturity_date": "2025-05-07"},
        ],
    )
    customers = [
        ("C1", "B1", "2020-01-01"),
        ("C2", "B1", "2021-06-30"),
        ("C3", "B2", "2022-01-01"),
        ("C4", "B2", "2023-01-01"),
        ("C6", "B2", "2019-01-01"),
        ("C7", "B1", "2024-12-31"),
    ]
    write_table(
        "customers",
        D1,
        [{"customer_no": c, "customer_type": "personal", "branch_code": b, "onboarded_on": o} for c, b, o in customers],
    )
    accounts = [
        ("A1", "C1", "CUR"),
        ("A2", "C2", "SAV"),
        ("A3", "C3", "CUR"),
        ("A4L", "C4", "LN1"),
        ("A6", "C6", "SAV"),
        ("A7", "C7", "CUR"),
    ]
    write_table(
        "accounts",
        D1,
        [{"account_id": a, "customer_no": c, "product_code": p, "status": "active"} for a, c, p in accounts],
    )
    # April: C1 buys wealth, C4 gets a card, new customer C5 (branch B1) arrives; C2 moves to branch B2.
    write_table(
        "customers",
        D4,
        [
            {"customer_no": "C5", "customer_type": "personal", "branch_code": "B1", "onboarded_on": "2025-04-10"},
            {"customer_no": "C2", "customer_type": "personal", "branch_code": "B2", "onboarded_on": "2021-06-30"},
        ],
    )
    write_table(
        "accounts",
        D4,
        [
            {"account_id": "A1W", "customer_no": "C1", "product_code": "WM1", "status": "active"},
            {"account_id": "A4C", "customer_no": "C4", "product_code": "CC1", "status": "active"},
            {"account_id": "A5", "customer_no": "C5", "product_code": "SAV", "status": "active"},
        ],
    )
    write_table(
        "external_holdings",
        D3,
        [
            {
                "holding_id": "H1",
                "customer_no": "C1",
                "product_code": "XWM",
                "amount": 500_000,
                "bought_on": "2024-11-07",
            },
            {
                "holding_id": "H2",
                "customer_no": "C3",
                "product_code": "XWM",
                "amount": 80_000,
                "bought_on": "2024-01-01",
                "maturity_date": "2025-04-01",
            },
        ],
    )
    for day, balances in BALANCES.items():
        write_table("balances", day, month_balances(day, balances))
    write_table("transactions", D1, [txn("T0", "A2", "2025-01-15 09:00:00", 8_000, "C", "counter", "payroll", "ACME")])
    write_table(
        "transactions",
        D2,
        [
            txn("T1", "A2", "2025-02-15 09:00:00", 8_000, "C", "counter", "payroll", "ACME"),
            txn("T2", "A1", "2025-02-20 10:00:00", 1_000, "D", "mobile", "transfer_out"),
        ],
    )
    write_table(
        "transactions",
        D3,
        [
            txn("T3", "A2", "2025-03-14 09:00:00", 8_000, "C", "counter", "payroll", "ACME"),
            txn("T4", "A1", "2025-03-31 23:59:59", 500, "D", "online", "transfer_out"),
        ],
    )
    write_table(
        "transactions",
        D4,
        [
            txn("T5", "A2", "2025-04-15 09:00:00", 8_000, "C", "counter", "payroll", "ACME"),
            txn("T6", "A2", "2025-04-16 09:00:00", 5, "C", "counter", "interest"),
            txn("T7", "A4C", "2025-04-20 12:00:00", 10_000, "D", "pos", "purchase"),
            txn("T8", "A1", "2025-04-21 08:00:00", 2_000, "D", "mobile", "transfer_out"),
        ],
    )
