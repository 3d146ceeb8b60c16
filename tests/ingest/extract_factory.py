"""A small, valid extract in the documented format: two month-end folders, a handful of rows per table.

Rows are dicts keyed by column name so that tests can corrupt one value and know its line
(row i of a table is file line i + 2). `Extract.secrets` lists every clear identifier written,
for the tests that scan the store for leaks. Every folder written carries its control file
(`_control.csv`); a test that changes a file afterwards and wants it to still match the
hand-over calls `write_control(folder)` again.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tenure.core.checkdigits import luhn_check_digit, resident_id_check_char
from tenure.core.models import AuditEntry
from tenure.customers.models import Account, Customer, ExternalHolding, Merchant, Product
from tenure.ingest.models import ImportedFile
from tenure.ingest.schema import TABLE_BY_NAME
from tenure.org.models import Branch, Staff

DATES = ("2024-01-31", "2024-02-29")
TEST_BIN = "622848"  # test card BIN range used throughout Tenure's synthetic data
CONTROL = "_control.csv"  # the hand-over's control file, as docs/data-formats.md names it
Rows = dict[str, list[dict[str, str]]]


@dataclass
class Extract:
    """Rows per table per business-date folder, in the extract format."""

    folders: dict[str, Rows]
    secrets: set[str] = field(default_factory=set)

    def copy(self) -> Extract:
        return Extract(copy.deepcopy(self.folders), set(self.secrets))

    def write(self, root: Path, dates: tuple[str, ...] | None = None, *, control: bool = True) -> Path:
        """Write CSV folders under `root` (all dates, or only `dates`), each with its control file
        unless `control` is false; returns `root`."""
        for day in dates or tuple(self.folders):
            folder = root / day
            folder.mkdir(parents=True, exist_ok=True)
            for table, rows in self.folders[day].items():
                (folder / f"{table}.csv").write_bytes(csv_bytes(table, rows))
            if control:
                write_control(folder, {f"{table}.csv": len(rows) for table, rows in self.folders[day].items()})
            else:
                (folder / CONTROL).unlink(missing_ok=True)
        return root


def write_control(folder: Path, records: dict[str, int] | None = None) -> Path:
    """(Re)write `folder`'s control file for the table files now in it: `file,records,sha256`.

    Records are taken from `records` when given, else counted here (CSV: lines after the header
    that are not blank; Parquet: its row count), independently of the importer's own counting.
    """
    lines = ["file,records,sha256"]
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_")) or path.suffix not in (".csv", ".parquet") or not path.is_file():
            continue
        count = (records or {}).get(path.name)
        if count is None and path.suffix == ".parquet":
            count = pq.ParquetFile(path).metadata.num_rows
        elif count is None:
            count = sum(1 for line in path.read_bytes().splitlines()[1:] if line.strip())
        lines.append(f"{path.name},{count},{hashlib.sha256(path.read_bytes()).hexdigest()}")
    control = folder / CONTROL
    control.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return control


def csv_bytes(table: str, rows: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    """The CSV file of a table: header line, then one line per row, UTF-8, LF line ends."""
    header = header or list(TABLE_BY_NAME[table].column_names)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return out.getvalue().encode()


def resident_id(rng: random.Random, birth: str) -> str:
    first17 = f"{rng.choice(['110105', '310104', '440305'])}{birth.replace('-', '')}{rng.randrange(1000):03d}"
    return first17 + resident_id_check_char(first17)


def card_number(rng: random.Random) -> str:
    partial = TEST_BIN + "".join(str(rng.randrange(10)) for _ in range(9))
    return partial + luhn_check_digit(partial)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def make_extract(customers: int = 5, seed: int = 7) -> Extract:
    """Two folders: the first carries every dimension row, the second new and changed rows."""
    rng = random.Random(seed)
    extract = Extract({})
    first = _dimensions_first(rng, customers, extract)
    extract.folders[DATES[0]] = first
    customer_rows = [dict(c) for c in first["customers"]]
    changed = dict(customer_rows[0], mobile=mobile(rng), risk_tolerance="C4")
    extract.secrets.add(changed["mobile"])
    new_customer = _customer(rng, customers + 1, "2024-02-10", extract)
    second: Rows = {
        "customers": [changed, new_customer],
        "accounts": [_account(rng, "A9001", new_customer["customer_no"], "P-SAV", "2024-02-10", extract)],
    }
    accounts_all = first["accounts"] + second["accounts"]
    extract.folders[DATES[1]] = second
    for day, folder in zip(DATES, extract.folders.values(), strict=True):
        accounts = first["accounts"] if day == DATES[0] else accounts_all
        folder["balances"] = [
            {"account_id": a["account_id"], "balance": f"{rng.randrange(100, 10**6)}.{rng.randrange(100):02d}"}
            for a in accounts
        ]
        folder["transactions"] = _transactions(rng, day, accounts)
    return extract


def _dimensions_first(rng: random.Random, customers: int, extract: Extract) -> Rows:
    branches = [
        {"branch_code": "HO", "parent_code": "", "name": "总行", "name_en": "Head office", "level": "head_office"},
        {"branch_code": "B01", "parent_code": "HO", "name": "北京分行", "level": "branch", "city": "北京"},
        {"branch_code": "S0101", "parent_code": "B01", "name": "朝阳支行", "level": "sub_branch", "city": "北京"},
        {"branch_code": "S0102", "parent_code": "B01", "name": "海淀支行", "level": "sub_branch", "city": "北京"},
    ]
    staff = [
        {"employee_no": "E001", "name": "王芳", "branch_code": "S0101", "role": "rm"},
        {"employee_no": "E002", "name": "李强", "branch_code": "S0102", "role": "rm"},
        {"employee_no": "E003", "name": "赵敏", "branch_code": "B01", "role": "branch_head"},
    ]
    products = [
        {"product_code": "P-CUR", "name": "活期储蓄", "product_type": "current", "risk_rating": "R1", "issuer": "BANK"},
        {"product_code": "P-SAV", "name": "定活两便", "product_type": "savings", "risk_rating": "R1", "issuer": "BANK"},
        {
            "product_code": "P-TD12",
            "name": "一年期定期",
            "product_type": "time_deposit",
            "risk_rating": "R1",
            "term_months": "12",
            "rate": "1.7500",
            "issuer": "BANK",
        },
        {
            "product_code": "C-WM01",
            "name": "招银理财稳健",
            "product_type": "wealth",
            "risk_rating": "R2",
            "rate": "3.1000",
            "issuer": "招商银行",
            "maturity_date": "2026-12-31",
        },
    ]
    customer_rows = [_customer(rng, i, "2020-03-15", extract) for i in range(1, customers + 1)]
    customer_rows[-1]["customer_type"] = "merchant"
    accounts = []
    for i, customer in enumerate(customer_rows, start=1):
        accounts.append(_account(rng, f"A{i:04d}", customer["customer_no"], "P-CUR", "2020-03-15", extract, card=True))
        accounts.append(_account(rng, f"A{i + 5000:04d}", customer["customer_no"], "P-TD12", "2023-06-01", extract))
    merchants = [
        {
            "merchant_no": "M001",
            "customer_no": customer_rows[-1]["customer_no"],
            "name": "老北京涮肉",
            "category": "dining",
            "discount_rate": "0.6000",
            "capped": "0",
            "branch_code": "S0101",
            "opened_on": "2021-05-01",
        },
        {
            "merchant_no": "M002",
            "name": "城东汽车城",
            "category": "auto_realty",
            "discount_rate": "0.4000",
            "capped": "1",
            "cap_amount": "80.00",
            "branch_code": "S0102",
            "opened_on": "2022-09-01",
        },
    ]
    holdings = [
        {
            "holding_id": "H001",
            "customer_no": customer_rows[0]["customer_no"],
            "product_code": "C-WM01",
            "amount": "200000.00",
            "bought_on": "2023-12-31",
            "maturity_date": "2026-12-31",
        }
    ]
    return {
        "branches": branches,
        "staff": staff,
        "products": products,
        "customers": customer_rows,
        "accounts": accounts,
        "merchants": merchants,
        "external_holdings": holdings,
    }


def _customer(rng: random.Random, n: int, onboarded: str, extract: Extract) -> dict[str, str]:
    birth = f"{rng.randrange(1950, 2000)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    row = {
        "customer_no": f"C{n:06d}",
        "customer_type": "personal",
        "name": rng.choice(["张伟", "王秀英", "李娜", "刘洋", "陈静"]),
        "gender": rng.choice("MF"),
        "birth_date": birth,
        "lunar_birthday": rng.choice("01"),
        "id_number": resident_id(rng, birth),
        "mobile": mobile(rng),
        "email": f"user{n}@example.cn",
        "address": "北京市朝阳区建国路88号",
        "city": "北京",
        "occupation": "教师",
        "risk_tolerance": rng.choice(["C1", "C2", "C3"]),
        "consent_sms": "1",
        "consent_email": "0",
        "consent_phone": "1",
        "consent_push": "1",
        "consent_marketing": rng.choice("01"),
        "onboarded_on": onboarded,
        "branch_code": rng.choice(["S0101", "S0102"]),
        "rm_employee_no": rng.choice(["E001", "E002", ""]),
    }
    extract.secrets.update((row["id_number"], row["mobile"]))
    return row


def _account(
    rng: random.Random, account_id: str, customer_no: str, product: str, opened: str, extract: Extract, card=False
) -> dict[str, str]:
    row = {
        "account_id": account_id,
        "customer_no": customer_no,
        "product_code": product,
        "account_number": "6" + "".join(str(rng.randrange(10)) for _ in range(18)),
        "card_number": card_number(rng) if card else "",
        "opened_on": opened,
        "status": "active",
    }
    extract.secrets.update(v for v in (row["account_number"], row["card_number"]) if v)
    return row


def _transactions(rng: random.Random, day: str, accounts: list[dict[str, str]]) -> list[dict[str, str]]:
    month = day[:8]
    rows = []
    for n in range(3 * len(accounts)):
        account = accounts[n % len(accounts)]
        purchase = n % 3 == 0
        rows.append(
            {
                "txn_id": f"T{day.replace('-', '')}{n:05d}",
                "account_id": account["account_id"],
                "txn_time": f"{month}{rng.randrange(11, 28):02d} {rng.randrange(24):02d}:{rng.randrange(60):02d}:07",
                "amount": f"{rng.randrange(1, 50000)}.{rng.randrange(100):02d}",
                "direction": "D" if purchase else "C",
                "channel": "pos" if purchase else rng.choice(["counter", "atm", "mobile", "online"]),
                "txn_type": "purchase" if purchase else "transfer_in",
                "counterparty": "老北京涮肉" if purchase else "",
                "merchant_no": "M001" if purchase else "",
            }
        )
    return rows


# --- Running the command and looking at the store, for the import tests ---------------------------


def run_import(*paths: Path | str, **options) -> tuple[dict, str]:
    """`tenure import --json`: the JSON summary and the human report (stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_extracts", *map(str, paths), json=True, stdout=out, stderr=err, **options)
    return json.loads(out.getvalue().splitlines()[-1]), err.getvalue()


def run_failing_import(*paths: Path | str, **options) -> tuple[int, dict | None, str]:
    """Like `run_import` for an import that must fail: its exit code, JSON summary (if any) and report."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_extracts", *map(str, paths), json=True, stdout=out, stderr=err, **options)
    lines = out.getvalue().splitlines()
    return failure.value.returncode, json.loads(lines[-1]) if lines else None, err.getvalue() + str(failure.value)


def store_snapshot() -> dict:
    """Everything an import may change: DB rows it writes (as values) and the bytes of every lake file."""
    lake_root = Path(settings.LAKE_DIR)
    files = (
        sorted(p for p in lake_root.rglob("*") if p.is_file() and p.name != ".import.lock")
        if lake_root.exists()
        else []
    )
    return {
        "counts": {
            m.__name__: m.objects.count() for m in (Branch, Staff, Product, Merchant, ExternalHolding, AuditEntry)
        },
        "customers": list(Customer.objects.values_list("customer_no", "mobile_bidx", "risk_tolerance", "updated_on")),
        "accounts": list(Account.objects.values_list("account_id", "card_number_bidx", "status", "updated_on")),
        "imported": list(ImportedFile.objects.values_list("business_date", "table", "sha256", "rows", "replaced")),
        "lake": {str(p.relative_to(lake_root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
    }


def read_report(summary: dict) -> list[dict]:
    """The rows of the error report CSV an import wrote."""
    with open(summary["report"], encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
