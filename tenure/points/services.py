"""Earning, reversing, expiring and redeeming merchant points: every change is a balanced journal.

Earning runs once per imported business date, in date order (`earn`). The date's card purchases
and refunds at each merchant (its transactions partition, read by DuckDB) are added to the
merchant's carry: yuan of volume whose fee was not capped, and the number of transactions whose
fee hit the merchant's cap. Whole points are taken out of the carry (`rules.py`); a carry that
refunds made negative gives points back (a reversal), at most as many as the merchant still has —
the rest stays in the carry and is recovered from later volume. A date is processed in one
transaction with its `PointsDay` row, so a crash is recovered by running again and a second run
changes nothing; a date re-imported with a corrected extract earns or reverses only the difference
(its `PointsVolume` rows say what was counted before).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tenure.core.audit import audit
from tenure.customers.models import Merchant
from tenure.lake import duckdb_connect, partition_file, vouched_partitions
from tenure.org.models import Staff
from tenure.points.models import PointsAccount, PointsDay, PointsJournal, PointsPosting, PointsVolume
from tenure.points.rules import Rules, active_rules

Kind = PointsJournal.Kind
BANK_SIDE: dict[str, str] = {
    Kind.EARN: "issued",
    Kind.REVERSE: "issued",
    Kind.REDEEM: "redeemed",
    Kind.EXPIRE: "expired",
}
# Points leave the merchant's account for these; they come in for EARN only.
DEBITS = (Kind.REVERSE, Kind.REDEEM, Kind.EXPIRE)


@dataclass(frozen=True)
class DayVolume:
    volume: Decimal
    capped_count: int


def day_volumes(day: dt.date) -> dict[str, DayVolume]:
    """Per merchant number: the date's non-capped purchase volume less refunds, and the number of
    capped purchases less capped refunds (a fee of amount × discount rate reaching the cap)."""
    path = partition_file("transactions", day)
    merchants = Merchant.objects.values_list("merchant_no", "discount_rate", "capped", "cap_amount")
    columns = [list(column) for column in zip(*merchants, strict=True)] or [[], [], [], []]  # no merchants yet
    table = pa.table(
        dict(zip(("merchant_no", "rate", "capped", "cap"), columns, strict=True)),
        schema=pa.schema(
            [
                ("merchant_no", pa.string()),
                ("rate", pa.decimal128(6, 4)),
                ("capped", pa.bool_()),
                ("cap", pa.decimal128(10, 2)),
            ]
        ),
    )
    con = duckdb_connect(threads=1)
    con.register("merchants", table)
    rows = con.execute(
        """
        WITH t AS (
            SELECT t.merchant_no, t.amount,
                   CASE WHEN t.txn_type = 'refund' THEN -1 ELSE 1 END AS sign,
                   m.capped AND t.amount * m.rate / 100 >= m.cap AS at_cap
            FROM read_parquet(?) t JOIN merchants m USING (merchant_no)
            WHERE (t.txn_type = 'purchase' AND t.direction = 'D') OR (t.txn_type = 'refund' AND t.direction = 'C')
        )
        SELECT merchant_no,
               coalesce(sum(sign * amount) FILTER (WHERE NOT coalesce(at_cap, false)), 0) AS volume,
               coalesce(sum(sign) FILTER (WHERE coalesce(at_cap, false)), 0) AS capped_count
        FROM t GROUP BY merchant_no
        """,
        [str(path)],
    ).fetchall()
    return {no: DayVolume(Decimal(volume).quantize(Decimal("0.01")), int(count)) for no, volume, count in rows}


def bank_account(kind: str) -> PointsAccount:
    account, _ = PointsAccount.objects.get_or_create(kind=kind, merchant=None)
    return account


def merchant_account(merchant: Merchant) -> PointsAccount:
    account, _ = PointsAccount.objects.get_or_create(kind=PointsAccount.Kind.MERCHANT, merchant=merchant)
    return account


def _post(
    account: PointsAccount,
    kind: str,
    points: int,
    day: dt.date,
    key: str,
    *,
    by=None,
    rules_version=None,
    memo: str = "",
    detail: dict | None = None,
) -> PointsJournal:
    """One journal: `points` into (EARN) or out of `account`, against the bank's account for `kind`."""
    assert points > 0, points
    if account.merchant_id is None:
        raise ValueError(f"points account {account.pk} is the bank's, not a merchant's")
    journal = PointsJournal.objects.create(
        key=key,
        kind=kind,
        merchant_id=account.merchant_id,
        business_date=day,
        points=points,
        rules_version=rules_version,
        memo=memo,
        detail=detail or {},
        created_by=by,
    )
    signed = journal.signed
    bank = bank_account(BANK_SIDE[kind])
    PointsPosting.objects.bulk_create(
        [
            PointsPosting(journal=journal, account=account, points=signed),
            PointsPosting(journal=journal, account=bank, points=-signed),
        ]
    )
    PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + signed)
    PointsAccount.objects.filter(pk=bank.pk).update(balance=F("balance") - signed)
    account.balance += signed
    return journal


def _take_points(carry, per_point, balance: int) -> tuple[int, Any]:
    """Whole points out of `carry` (negative: points to give back, at most `balance`) and the new carry.

    Rounded down on both sides of zero (−¥1 of carry at ¥10,000 a point is one point to give back),
    so what a merchant has earned in all is always ⌊cumulative volume / per point⌋ while nothing was
    redeemed; Decimal's own `//` would round towards zero instead."""
    points = math.floor(Decimal(carry) / Decimal(per_point))
    if points < 0:
        points = -min(-points, balance)
    return points, carry - points * per_point


def _apply(account: PointsAccount, change: DayVolume, rules: Rules, day: dt.date, tag: str) -> PointsJournal | None:
    """Settle one merchant's volume of `day` on its (locked) account: the carries and balance are
    updated in memory, and the journal to post is returned unsaved (None when no whole point moved)."""
    merchant = _merchant(account)
    volume = account.volume_carry + change.volume
    count = account.count_carry + change.capped_count
    cap = merchant.cap_amount if merchant.capped else None
    per_yuan = rules.yuan_per_point(merchant.category, merchant.discount_rate, cap)
    per_capped = rules.capped_txns_per_point(merchant.category, cap)
    by_count = 0
    if per_capped and volume < 0:
        # The capped count first: the points it earns today can be given back for the volume's
        # refunds, as they would be had the refunds come a day later.
        by_count, count = _take_points(count, per_capped, account.balance)
        earned, volume = _take_points(volume, per_yuan, account.balance + by_count)
    else:
        earned, volume = _take_points(volume, per_yuan, account.balance)
        if per_capped:
            by_count, count = _take_points(count, per_capped, account.balance + earned)
    account.volume_carry, account.count_carry = volume, count
    total = earned + by_count
    if not total:
        return None
    account.balance += total
    kind = Kind.EARN if total > 0 else Kind.REVERSE
    return PointsJournal(
        key=f"{kind}:{day}:{tag}:{merchant.merchant_no}",
        kind=kind,
        merchant=merchant,
        business_date=day,
        points=abs(total),
        rules_version=rules.version,
        detail={"volume": str(change.volume), "capped_count": change.capped_count},
    )


def _merchant(account: PointsAccount) -> Merchant:
    """The merchant of a merchant's points account (the bank's own accounts, which have none, never come here)."""
    if account.merchant is None:
        raise ValueError(f"points account {account.pk} is the bank's, not a merchant's")
    return account.merchant


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def expire(day: dt.date, rules: Rules, tag: str) -> list[PointsJournal]:
    """Points earned on or before `expiry_months` before `day` and not yet used: expired, oldest first
    (every debit — reversal, redemption, expiry — is taken from the oldest points)."""
    cutoff = _months_before(day, rules.expiry_months)
    totals = (
        PointsJournal.objects.values("merchant_id")
        .annotate(
            old=Sum("points", filter=Q(kind=Kind.EARN, business_date__lte=cutoff), default=0),
            used=Sum("points", filter=Q(kind__in=DEBITS), default=0),
        )
        .filter(old__gt=F("used"))
    )
    journals = []
    for row in totals:
        # Locked: a redemption committing meanwhile would make the balance read here stale.
        account = (
            PointsAccount.objects.select_for_update(of=("self",))
            .select_related("merchant")
            .get(merchant_id=row["merchant_id"])
        )
        points = min(row["old"] - row["used"], account.balance)
        if points > 0:
            key = f"expire:{day}:{tag}:{_merchant(account).merchant_no}"
            journals.append(_post(account, Kind.EXPIRE, points, day, key, detail={"earned_by": cutoff.isoformat()}))
    return journals


def earn(upto: dt.date) -> dict[str, Any]:
    """Turn the card volume of every imported business date up to `upto` not yet processed (or
    re-imported since) into points, date by date; then expire points past their validity."""
    done = dict(PointsDay.objects.values_list("business_date", "source_digest"))
    todo = [
        (day, digest) for day, digest in vouched_partitions("transactions") if day <= upto and done.get(day) != digest
    ]
    summary: dict[str, Any] = {"business_dates": [], "earned": 0, "reversed": 0, "expired": 0, "journals": 0}
    counted_as: dict[str, str] = {Kind.EARN: "earned", Kind.REVERSE: "reversed", Kind.EXPIRE: "expired"}
    for day, digest in todo:
        with transaction.atomic():
            journals = _earn_day(day, digest)
        summary["business_dates"].append(day.isoformat())
        for journal in journals:
            summary[counted_as[journal.kind]] += journal.points
        summary["journals"] += len(journals)
    return summary


def earn_run(*, upto: dt.date) -> dict[str, Any]:
    """`earn` with the date it ran up to: the summary `tenure points earn` and the daily run report."""
    return {"upto": upto.isoformat(), **earn(upto)}


def _earn_day(day: dt.date, digest: str) -> list[PointsJournal]:
    """One date, in bulk: a few statements for all its merchants (the demo bank's 13 dates, ≈ 760
    merchants with volume each: `tenure points earn` 21.7 s one journal at a time, 8.3 s so)."""
    rules = active_rules()
    # Journal keys name the processing of the date, not only the file: a correction that is itself
    # undone brings an earlier digest back, and its journals are new ones.
    runs = (PointsDay.objects.filter(business_date=day).values_list("runs", flat=True).first() or 0) + 1
    tag = f"{digest[:12]}.{runs}"
    volumes = day_volumes(day)
    before = {
        v.merchant.merchant_no: v for v in PointsVolume.objects.filter(business_date=day).select_related("merchant")
    }
    merchants = {m.merchant_no: m for m in Merchant.objects.filter(merchant_no__in=set(volumes) | set(before))}
    changes: dict[str, tuple[DayVolume, DayVolume]] = {}
    for number in sorted(merchants):
        new = volumes.get(number, DayVolume(Decimal("0.00"), 0))
        old = before.get(number)
        change = DayVolume(new.volume - (old.volume if old else 0), new.capped_count - (old.capped_count if old else 0))
        if change.volume or change.capped_count:
            changes[number] = (new, change)
    accounts = _locked_accounts([merchants[number] for number in changes])
    journals = []
    for number, (_new, change) in changes.items():
        journal = _apply(accounts[number], change, rules, day, tag)
        if journal is not None:
            journals.append(journal)
    _post_earnings(journals, accounts)
    _save_accounts(accounts.values())
    PointsVolume.objects.bulk_create(
        [
            PointsVolume(business_date=day, merchant=merchants[n], volume=new.volume, capped_count=new.capped_count)
            for n, (new, _change) in changes.items()
        ],
        update_conflicts=True,
        unique_fields=["business_date", "merchant"],
        update_fields=["volume", "capped_count"],
        batch_size=1000,
    )
    journals += expire(day, rules, tag)
    PointsDay.objects.update_or_create(
        business_date=day,
        defaults={
            "source_digest": digest,
            "runs": runs,
            "rules_version": rules.version,
            "merchants": len(volumes),
            "journals": len(journals),
        },
    )
    return journals


def _locked_accounts(merchants: list[Merchant]) -> dict[str, PointsAccount]:
    """The merchants' accounts (created when missing), locked for the date's transaction: `_apply`
    limits a reversal by the balance read here, which a redemption committing meanwhile would make stale."""
    have = set(PointsAccount.objects.filter(merchant__in=merchants).values_list("merchant_id", flat=True))
    PointsAccount.objects.bulk_create(
        [PointsAccount(kind=PointsAccount.Kind.MERCHANT, merchant=m) for m in merchants if m.pk not in have],
        batch_size=1000,
    )
    by_pk: dict[int | None, Merchant] = {m.pk: m for m in merchants}  # the accounts' merchant_id: never None
    accounts = {}
    for account in PointsAccount.objects.select_for_update().filter(merchant__in=merchants).order_by("pk"):
        account.merchant = by_pk[account.merchant_id]
        accounts[account.merchant.merchant_no] = account
    return accounts


def _save_accounts(accounts) -> None:
    """Write the settled balances and carries (the rows are locked). Django's `bulk_update` builds a
    CASE per field and row: 1.4 s a date for the demo's ≈ 760 merchants under cProfile, this 3 ms."""
    table = PointsAccount._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET balance = %s, volume_carry = %s, count_carry = %s WHERE id = %s",
            [(a.balance, a.volume_carry, a.count_carry, a.pk) for a in accounts],
        )


def _post_earnings(journals: list[PointsJournal], accounts: dict[str, PointsAccount]) -> None:
    """Save the date's earn and reversal journals with their two postings each; the merchants' balances
    are already updated in memory (saved by the caller), the bank's "issued" account here."""
    if not journals:
        return
    PointsJournal.objects.bulk_create(journals, batch_size=1000)
    issued = bank_account("issued")
    postings = []
    for journal in journals:
        postings += [
            PointsPosting(journal=journal, account=accounts[journal.merchant.merchant_no], points=journal.signed),
            PointsPosting(journal=journal, account=issued, points=-journal.signed),
        ]
    PointsPosting.objects.bulk_create(postings, batch_size=1000)
    PointsAccount.objects.filter(pk=issued.pk).update(balance=F("balance") - sum(p.points for p in postings[::2]))


def redemption_key(merchant: Merchant, key: str) -> str:
    """The journal key of a redemption: the caller's key (a form's token), per merchant."""
    return f"redeem:{merchant.merchant_no}:{key}"


def redeem(
    merchant: Merchant, points: int, *, reward: str, by: Staff, key: str, day: dt.date | None = None
) -> PointsJournal:
    """Take `points` from the merchant for `reward` (audited), dated `day` (default: today in the
    bank's time zone). The same `key` twice posts once, also when both arrive at the same moment."""
    existing = PointsJournal.objects.filter(key=redemption_key(merchant, key)).first()
    if existing is not None:
        return existing
    if points < 1:
        raise ValidationError(_("Redeem at least 1 point."))
    if not reward.strip():
        raise ValidationError(_("Say what the points are exchanged for."))
    try:
        with transaction.atomic():
            return _redeem(merchant, points, reward.strip(), by, key, day or timezone.localdate())
    except IntegrityError:  # the same key, committed by a simultaneous request after the check above
        return PointsJournal.objects.get(key=redemption_key(merchant, key))


def _redeem(merchant: Merchant, points: int, reward: str, by, key: str, day: dt.date) -> PointsJournal:
    account = PointsAccount.objects.select_for_update().filter(merchant=merchant).first()
    balance = account.balance if account else 0
    if account is None or points > balance:  # no account: a balance of 0 (and `points` is at least 1)
        raise ValidationError(
            _("%(merchant)s has %(balance)s points; %(points)s cannot be redeemed.")
            % {"merchant": merchant.merchant_no, "balance": f"{balance:,}", "points": f"{points:,}"}
        )
    journal = _post(account, Kind.REDEEM, points, day, redemption_key(merchant, key), by=by, memo=reward)
    audit(
        action="points.redeem",
        actor=by,
        object_type="merchant",
        object_id=merchant.merchant_no,
        customer_no=merchant.customer_id or "",
        reason=reward,
        detail={"points": points},
    )
    return journal


def ledger_totals() -> dict[str, int]:
    """Points per bank account kind and the merchants' sum: every journal balances, so they sum to 0."""
    sums: defaultdict[str, int] = defaultdict(int)
    for kind, total in PointsPosting.objects.values_list("account__kind").annotate(total=Sum("points")):
        sums[kind] += total
    return dict(sums)
