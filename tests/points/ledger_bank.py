"""A tiny acquiring bank for the points ledger tests: one branch, four merchants (one of each way
of earning), and transactions partitions written to the lake the way an import leaves them
(the partition file, then the `ImportedFile` row that vouches for it).

Merchants (the first reading of the table, `FIRST_READING`, stored as version 1: the ledger's
arithmetic was worked out by hand against it)::

    M-GEN   general,   0.60 %               1 point per ¥10,000
    M-PREF  general,   0.05 % (< 0.08 %)    1 point per ¥25,000 (preferential)
    M-WHS   wholesale, 0.65 %, cap ¥26      a fee of 0.65 % reaches ¥26 at ¥4,000.00 exactly:
                                            below, 1 point per ¥10,000; at or above, 1 point per 5 transactions
    M-DIN   dining,    0.60 %               1 point per ¥15,000
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from decimal import Decimal

import pyarrow as pa
from django.db.models import Count, Sum

from tenure.customers.models import Merchant
from tenure.ingest.models import ImportedFile
from tenure.lake import write_partition
from tenure.org.models import Branch
from tenure.org.services import branch_paths_rebuild
from tenure.points.models import PointsAccount, PointsDay, PointsJournal, PointsPosting, PointsRules, PointsVolume

# The built-in rules before the cells after the table's page break were read (docs/points.md).
FIRST_READING = {
    "categories": {
        "general": {"yuan_per_point": "10000", "capped_txns_per_point": None},
        "wholesale": {"yuan_per_point": "10000", "capped_txns_per_point": 5},
        "dining": {"yuan_per_point": "15000", "capped_txns_per_point": None},
        "auto_realty": {"yuan_per_point": "25000", "capped_txns_per_point": 15},
        "livelihood": {"yuan_per_point": "25000", "capped_txns_per_point": 7},
    },
    "preferential_below": "0.0800",
    "preferential_yuan_per_point": "25000",
    "expiry_months": 24,
}
# number -> (category, discount rate %, capped, cap amount)
MERCHANTS = {
    "M-GEN": ("general", "0.6000", False, None),
    "M-PREF": ("general", "0.0500", False, None),
    "M-WHS": ("wholesale", "0.6500", True, "26.00"),
    "M-DIN": ("dining", "0.6000", False, None),
}


def make_merchants() -> dict[str, Merchant]:
    PointsRules.objects.get_or_create(version=1, defaults={"rules": copy.deepcopy(FIRST_READING)})
    Branch.objects.get_or_create(code="B01", defaults={"name": "北京分行", "level": "branch"})
    branch_paths_rebuild()
    return {
        number: Merchant.objects.create(
            merchant_no=number,
            name=number,
            category=category,
            discount_rate=Decimal(rate),
            capped=capped,
            cap_amount=Decimal(cap) if cap else None,
            branch_id="B01",
            opened_on=dt.date(2020, 1, 1),
            updated_on=dt.date(2026, 1, 1),
        )
        for number, (category, rate, capped, cap) in MERCHANTS.items()
    }


def txn(merchant: str | None, amount: str, txn_type: str = "purchase", direction: str | None = None) -> tuple:
    """One card transaction: a purchase debits the cardholder (D), a refund credits it (C)."""
    return (merchant, amount, txn_type, direction or ("C" if txn_type == "refund" else "D"))


def write_day(day: dt.date, rows: list[tuple]) -> str:
    """Write `day`'s transactions partition and vouch for it; returns its digest (from the rows, so
    the same rows give the same digest and a corrected file a new one)."""
    digest = hashlib.sha256(repr((day, rows)).encode()).hexdigest()
    n = len(rows)
    data = pa.table(
        {
            "txn_id": [f"T{day:%Y%m%d}{i:04d}" for i in range(n)],
            "account_id": [f"A{i % 3}" for i in range(n)],
            "txn_time": [dt.datetime.combine(day, dt.time(10, 0)) + dt.timedelta(seconds=i) for i in range(n)],
            "amount": pa.array([Decimal(r[1]) for r in rows], pa.decimal128(18, 2)),
            "direction": pa.array([r[3] for r in rows], pa.string()),
            "channel": pa.array(["pos"] * n, pa.string()),
            "txn_type": pa.array([r[2] for r in rows], pa.string()),
            "counterparty": pa.array(["商户"] * n, pa.string()),
            "merchant_no": pa.array([r[0] for r in rows], pa.string()),
            "business_date": pa.array([day] * n, pa.date32()),
        }
    )
    write_partition("transactions", day, data, digest)
    ImportedFile.objects.update_or_create(
        business_date=day,
        table="transactions",
        defaults={"file_name": "transactions.csv", "sha256": digest, "rows": n},
    )
    return digest


def accounts() -> dict[str, tuple[int, str, int]]:
    """Merchant number -> (balance, volume carry, capped count carry)."""
    return {
        a.merchant.merchant_no: (a.balance, str(a.volume_carry.quantize(Decimal("0.01"))), a.count_carry)
        for a in PointsAccount.objects.filter(kind="merchant").select_related("merchant")
    }


def journals() -> list[tuple[dt.date, str, str, int]]:
    """(business date, merchant, kind, points) of every journal, in a stable order."""
    return sorted(PointsJournal.objects.values_list("business_date", "merchant__merchant_no", "kind", "points"))


def volumes() -> dict[tuple[dt.date, str], tuple[str, int]]:
    return {
        (v.business_date, v.merchant.merchant_no): (str(v.volume.quantize(Decimal("0.01"))), v.capped_count)
        for v in PointsVolume.objects.select_related("merchant")
    }


def snapshot() -> dict:
    """Everything the earning run writes, to compare two runs."""
    return {
        "accounts": accounts(),
        "journals": journals(),
        "volumes": volumes(),
        "days": dict(PointsDay.objects.values_list("business_date", "source_digest")),
        "postings": PointsPosting.objects.count(),
    }


def assert_ledger_balanced() -> None:
    """Double entry: two postings per journal summing to 0, and every balance the sum of its postings."""
    unbalanced = (
        PointsPosting.objects.values("journal").annotate(total=Sum("points"), n=Count("id")).exclude(total=0, n=2)
    )
    assert not list(unbalanced)
    assert PointsPosting.objects.count() == 2 * PointsJournal.objects.count()
    assert (PointsPosting.objects.aggregate(total=Sum("points", default=0))["total"]) == 0
    posted = dict(PointsPosting.objects.values_list("account").annotate(total=Sum("points")))
    for account in PointsAccount.objects.all():
        assert account.balance == posted.get(account.pk, 0), account
        if account.kind == PointsAccount.Kind.MERCHANT:
            assert account.balance >= 0, account
