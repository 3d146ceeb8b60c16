"""A tiny bank for web, API and browser tests: a branch tree, staff in every role, customers with
encrypted identifiers in two branches, and optionally a few Parquet lake partitions.

Tree::

    HO (head office)
    ├── B01 (branch)  ── S0101, S0102 (sub-branches)
    └── B02 (branch)  ── S0201

`rm_a` (S0101) owns Wang Fang and Wang Lei; `rm_a2` (S0102) owns Li Na; `rm_b` (S0201) owns Zhao Min,
the *foreign* customer for everyone working under B01.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

import pyarrow as pa
import pytest
from django.contrib.auth.hashers import make_password
from django.utils import translation

from tenure.core.crypto import blind_index
from tenure.customers.models import Account, Customer, ExternalHolding, Product
from tenure.ingest.models import ImportedFile
from tenure.lake import serving_build_all, write_partition
from tenure.org.models import Branch, Staff
from tenure.org.services import branch_paths_rebuild, staff_set_roles

PASSWORD = "Tenure-test-pw-1"
MONTH_ENDS = [dt.date(2025, m, 28) for m in range(1, 13)] + [dt.date(2026, 1, 28)]


@dataclass
class Bank:
    branches: dict[str, Branch] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    holdings: dict[str, ExternalHolding] = field(default_factory=dict)

    @property
    def foreign(self) -> Customer:
        return self.customers["zhao"]


# username -> (home branch, roles, employee number)
STAFF = {
    "rm_a": ("S0101", ["rm"], "E101"),
    "rm_a2": ("S0102", ["rm"], "E102"),
    "lobby_a": ("S0101", ["lobby"], "E103"),
    "head_a": ("B01", ["branch_head"], "E104"),
    "rm_b": ("S0201", ["rm"], "E201"),
    "analyst": ("HO", ["analyst"], "E001"),
    "service": ("HO", ["service"], "E002"),
    "compliance": ("HO", ["compliance"], "E003"),
    "admin": ("HO", ["admin"], "E004"),
    "norole": ("S0101", [], "E999"),
}

# key -> (customer_no, name, branch, rm employee no, mobile, resident ID, e-mail)
CUSTOMERS = {
    "wang": ("C0000001", "王芳", "S0101", "E101", "13812345678", "110101199003071234", "wangfang@example.com"),
    "wanglei": ("C0000002", "王磊", "S0101", "E101", "13987654321", "110101198512120011", ""),
    "li": ("C0000003", "李娜", "S0102", "E102", "13711112222", "310101197805050022", "lina@example.cn"),
    "zhao": ("C0000009", "赵敏", "S0201", "E201", "13699998888", "440301199912319876", "zhaomin@example.com"),
}

# account key -> (customer key, product code, account number, card number)
ACCOUNTS = {
    "A-wang-cur": ("wang", "P-CUR", "6222020200112233445", "6222021234567890123"),
    "A-wang-wm": ("wang", "P-WM", "6222020200998877665", ""),
    "A-wang-loan": ("wang", "P-LOAN", "6222020200554433221", ""),
    "A-wanglei-sav": ("wanglei", "P-SAV", "6222020200111100001", ""),
    "A-li-sav": ("li", "P-SAV", "6222020200222200002", "6222029876543210987"),
    "A-zhao-cur": ("zhao", "P-CUR", "6222020200333300003", "6222025555444433331"),
}


@functools.cache
def password_hash() -> str:
    """PASSWORD hashed once per test run: the real hasher is slow on purpose."""
    return make_password(PASSWORD)


def make_bank() -> Bank:
    """Create the tiny bank in the test database (encrypted fields and blind indexes set)."""
    bank = Bank()
    tree = [
        ("HO", None, "总行", "head_office"),
        ("B01", "HO", "北京分行", "branch"),
        ("S0101", "B01", "朝阳支行", "sub_branch"),
        ("S0102", "B01", "海淀支行", "sub_branch"),
        ("B02", "HO", "上海分行", "branch"),
        ("S0201", "B02", "浦东支行", "sub_branch"),
    ]
    for code, parent, name, level in tree:
        bank.branches[code] = Branch.objects.create(code=code, parent_id=parent, name=name, level=level)
    branch_paths_rebuild()
    for username, (branch, roles, employee_no) in STAFF.items():
        staff = Staff.objects.create(
            username=username,
            password=password_hash(),
            home_branch_id=branch,
            employee_no=employee_no,
            full_name=username,
        )
        staff_set_roles(staff, roles)
        bank.staff[username] = staff
    products = [
        ("P-CUR", "活期储蓄", "current"),
        ("P-SAV", "定活两便", "savings"),
        ("P-WM", "稳健理财", "wealth"),
        ("P-LOAN", "个人住房贷款", "loan"),
    ]
    for code, name, kind in products:
        Product.objects.create(code=code, name=name, product_type=kind, risk_rating="R2")
    competitor = Product.objects.create(
        code="X-ICBC", name="工银理财", product_type="wealth", risk_rating="R2", issuer="ICBC"
    )
    for key, (number, name, branch, rm, mobile, id_number, email) in CUSTOMERS.items():
        bank.customers[key] = Customer.objects.create(
            customer_no=number,
            customer_type="personal",
            name=name,
            id_number=id_number,
            id_number_bidx=blind_index("id_number", id_number),
            mobile=mobile,
            mobile_bidx=blind_index("mobile", mobile),
            email=email,
            risk_tolerance="C3",
            consent_sms=True,
            onboarded_on=dt.date(2015, 6, 1),
            branch_id=branch,
            rm_id=rm,
            updated_on=dt.date(2026, 1, 28),
        )
    for account_id, (customer, product, number, card) in ACCOUNTS.items():
        bank.accounts[account_id] = Account.objects.create(
            account_id=account_id,
            customer=bank.customers[customer],
            product_id=product,
            account_number=number,
            account_number_bidx=blind_index("account_number", number),
            card_number=card,
            card_number_bidx=blind_index("card_number", card) if card else "",
            opened_on=dt.date(2016, 1, 1),
            status="active",
            updated_on=dt.date(2026, 1, 28),
        )
    for key, customer in (("H-wang", "wang"), ("H-zhao", "zhao")):
        bank.holdings[key] = ExternalHolding.objects.create(
            holding_id=key,
            customer=bank.customers[customer],
            product=competitor,
            amount=Decimal("200000"),
            bought_on=dt.date(2025, 3, 1),
            maturity_date=dt.date(2026, 3, 1),
            updated_on=dt.date(2026, 1, 28),
        )
    return bank


def make_customer(bank: Bank, number: str, name: str, branch: str, *, mobile: str = "", rm: str = "") -> Customer:
    """One more personal customer (for pagination and search tests)."""
    customer = Customer.objects.create(
        customer_no=number,
        customer_type="personal",
        name=name,
        mobile=mobile,
        mobile_bidx=blind_index("mobile", mobile) if mobile else "",
        onboarded_on=dt.date(2020, 1, 1),
        branch_id=branch,
        rm_id=rm or None,
        updated_on=dt.date(2026, 1, 28),
    )
    bank.customers[number] = customer
    return customer


def customers_with_mobiles(n: int, start: int = 0) -> None:
    """`n` personal customers with encrypted mobiles under head office (key and rotation tests)."""
    Branch.objects.get_or_create(code="HO", defaults={"name": "总行", "level": "head_office", "path": "/HO/"})
    for i in range(start, start + n):
        Customer.objects.create(
            customer_no=f"C{i:05d}",
            customer_type="personal",
            name=f"客户{i}",
            mobile=f"1381234{i:04d}",
            onboarded_on=dt.date(2020, 1, 1),
            branch_id="HO",
            updated_on=dt.date(2026, 10, 31),
        )


def balance_of(account_id: str, month: int) -> Decimal:
    """A deterministic balance that grows with the month: Wang Fang reaches the Platinum tier."""
    base = {
        "A-wang-cur": 50_000,
        "A-wang-wm": 250_000,
        "A-wang-loan": 800_000,
        "A-wanglei-sav": 20_000,
        "A-li-sav": 1_200_000,
        "A-zhao-cur": 90_000,
    }[account_id]
    return Decimal(base + 1_000 * month)


def _register(table: str, day: dt.date, data: pa.Table) -> None:
    digest = hashlib.sha256(f"{table}{day}{data.num_rows}".encode()).hexdigest()
    write_partition(table, day, data, digest)
    ImportedFile.objects.update_or_create(
        business_date=day, table=table, defaults={"file_name": f"{table}.csv", "sha256": digest, "rows": data.num_rows}
    )


def write_lake() -> None:
    """13 month-end balance partitions and transactions for the latest two months."""
    for month, day in enumerate(MONTH_ENDS):
        ids = list(ACCOUNTS)
        balances = [balance_of(a, month) for a in ids]
        data = pa.table(
            {
                "account_id": ids,
                "balance": pa.array(balances, pa.decimal128(18, 2)),
                "avg_daily_balance": pa.array(balances, pa.decimal128(18, 2)),
            }
        )
        _register("balances", day, data)
    for day in MONTH_ENDS[-2:]:
        rows = []
        for n in range(30):
            account = ("A-wang-cur", "A-li-sav", "A-zhao-cur")[n % 3]
            when = dt.datetime.combine(day, dt.time(9, 0)) - dt.timedelta(hours=5 * n)
            channel = ("mobile", "counter", "atm")[n % 3]
            rows.append((f"T{day:%m}{n:03d}", account, when, 100 + n, "D" if n % 2 else "C", channel, "purchase"))
        data = pa.table(
            {
                "txn_id": [r[0] for r in rows],
                "account_id": [r[1] for r in rows],
                "txn_time": [r[2] for r in rows],
                "amount": pa.array([Decimal(r[3]) for r in rows], pa.decimal128(18, 2)),
                "direction": [r[4] for r in rows],
                "channel": [r[5] for r in rows],
                "txn_type": [r[6] for r in rows],
                "counterparty": ["京东商城"] * len(rows),
                "merchant_no": pa.array([None] * len(rows), pa.string()),
            }
        )
        _register("transactions", day, data)


@pytest.fixture
def bank(db, key_file, settings, tmp_path) -> Bank:
    """The tiny bank, with a private lake directory and no cached aggregates."""
    from django.core.cache import cache

    settings.LAKE_DIR = tmp_path / "lake"
    settings.TENURE_HOME = tmp_path
    cache.clear()
    return make_bank()


@pytest.fixture
def lake(bank) -> Bank:
    """The tiny bank with lake partitions, read directly (no serving copy)."""
    write_lake()
    return bank


@pytest.fixture
def served_lake(lake) -> Bank:
    """The tiny bank with lake partitions and their sorted serving copy."""
    serving_build_all()
    return lake


@pytest.fixture
def login(client):
    """Log a staff member in (session) and return the client."""

    def _login(staff: Staff):
        client.force_login(staff)
        return client

    return _login


@pytest.fixture
def english(client):
    """English pages and messages: the assertions read English text, whatever the catalogue holds."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
