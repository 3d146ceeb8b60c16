"""What a message states about a product or an account, read from the tables, never typed by hand.

Rates, terms, fees and penalties come from the product table (`customers.Product`) and its sales
terms (`offers.ProductTerms`), an account's agreed rate from the account; the month's activity of a
statement from the lake. A template names them as placeholders (`{rate}`, `{term}`, `{fees}`,
`{penalty}`, `{minimum}`, `{summary}`); a draft that types a rate itself is refused
(`texts.typed_terms`), so the words a checker approved can only state what the tables say.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tenure import lake
from tenure.core.figures import yuan
from tenure.core.masking import mask_account
from tenure.customers.models import Account, Product
from tenure.messaging.models import Language
from tenure.offers.models import ProductTerms

DASH = "—"


def _en(language: str) -> bool:
    return language == Language.EN


def rate_text(rate: Decimal | float | str | None) -> str:
    """`2.6000` → `2.60%` (two decimals, as rates are quoted); unknown → —."""
    if rate is None:
        return DASH
    return f"{Decimal(str(rate)).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"


def term_text(months: int | None, language: str) -> str:
    """12 → 12个月 / 12 months; no fixed term → 无固定期限 / no fixed term."""
    if not months:
        return "no fixed term" if _en(language) else "无固定期限"
    if _en(language):
        return f"{months} month" if months == 1 else f"{months} months"
    return f"{months}个月"


def product_values(product: Product, language: str, *, rate: Decimal | None = None) -> dict[str, str]:
    """The product's terms as a message states them: `rate` (% a year; the account's agreed rate when
    given, else the product's), `term`, `fees`, `penalty` (the sales terms' texts; none when empty)
    and `minimum` (yuan)."""
    terms = _terms(product)
    none = "none" if _en(language) else "无"
    return {
        "product": product.name,
        "rate": rate_text(rate if rate is not None else product.rate),
        "term": term_text(product.term_months, language),
        "fees": (terms.fees.strip() if terms is not None else "") or none,
        "penalty": (terms.penalty.strip() if terms is not None else "") or none,
        "minimum": yuan(terms.min_amount if terms is not None else Decimal(0)),
    }


def _terms(product: Product) -> ProductTerms | None:
    try:
        return product.terms  # the reverse one-to-one raises when the product has no sales terms
    except ProductTerms.DoesNotExist:
        return None


def account_values(account: Account, language: str, day: dt.date, amount: Decimal | None) -> dict[str, str]:
    """The values of an account's reminder: its product's terms (with the account's agreed rate),
    the masked account number, the date and the amount (yuan)."""
    return {
        **product_values(account.product, language, rate=account.effective_rate),
        "name": account.customer.name,
        "account": mask_account(account.account_number) or account.account_id,
        "date": day.isoformat(),
        "amount": yuan(amount) if amount is not None else DASH,
    }


@dataclass(frozen=True)
class AccountActivity:
    """One account's month: balances at the month-ends before and at its end, money in and out."""

    account: Account
    opening: Decimal | None
    closing: Decimal | None
    credits: Decimal
    debits: Decimal
    count: int
    first: dt.date  # the month's first and last day
    last: dt.date
    opening_on: dt.date | None  # the dates of the two balances (the lake's month-ends)
    closing_on: dt.date | None


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a month."""
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def activities(accounts: Sequence[Account], year: int, month: int) -> list[AccountActivity]:
    """The month's activity of `accounts` (already scoped by the caller): two lake reads for all."""
    first, last = month_bounds(year, month)
    ids = [a.account_id for a in accounts]
    balances = lake.balances_by_date(ids, months=15)
    closing_day = max((d for d in balances if d <= last), default=None)
    opening_day = max((d for d in balances if d < first), default=None)
    moves = lake.activity_between(ids, first, last)
    rows = []
    for account in accounts:
        credits, debits, count = moves.get(account.account_id, (Decimal(0), Decimal(0), 0))
        rows.append(
            AccountActivity(
                account,
                balances[opening_day].get(account.account_id) if opening_day else None,
                balances[closing_day].get(account.account_id) if closing_day else None,
                credits,
                debits,
                count,
                first,
                last,
                opening_day,
                closing_day,
            )
        )
    return rows


def summary_text(rows: Sequence[AccountActivity], language: str) -> str:
    """The statement's summary, one line per account (masked number, product, amounts in yuan)."""
    lines = []
    for row in rows:
        number = mask_account(row.account.account_number) or row.account.account_id
        opening, closing = yuan(row.opening) or DASH, yuan(row.closing) or DASH
        if _en(language):
            lines.append(
                f"· {row.account.product.name} {number}: opening {opening}, in {yuan(row.credits)}, "
                f"out {yuan(row.debits)} ({row.count} transactions), closing {closing}"
            )
        else:
            lines.append(
                f"· {row.account.product.name} {number}：期初余额{opening}，收入{yuan(row.credits)}，"
                f"支出{yuan(row.debits)}（{row.count}笔），期末余额{closing}"
            )
    return "\n".join(lines)


def month_text(year: int, month: int, language: str) -> str:
    """A month as the customer reads it: 2026年12月 / December 2026."""
    return f"{calendar.month_name[month]} {year}" if _en(language) else f"{year}年{month}月"


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else DASH


def statement_table(rows: Sequence[AccountActivity], language: str) -> list[dict]:
    """The statement's figures for the e-mail's HTML table, per account: the opening balance at the
    month-end before, money in and out over the month, the closing balance at its end — date,
    description, amount and balance, in yuan with separators; numbers masked."""
    en = _en(language)
    words = (
        ("Opening balance", "Money in", "Money out", "Closing balance")
        if en
        else ("期初余额", "收入", "支出", "期末余额")
    )
    sections = []
    for row in rows:
        number = mask_account(row.account.account_number) or row.account.account_id
        count = f"{row.count} transaction{'s' if row.count != 1 else ''}" if en else f"{row.count}笔交易"
        month = month_text(row.first.year, row.first.month, language)
        sections.append(
            {
                "caption": f"{row.account.product.name} {number} ({count})"
                if en
                else f"{row.account.product.name} {number}（{count}）",
                "rows": [
                    [_day(row.opening_on), words[0], "", yuan(row.opening) or DASH],
                    [month, words[1], yuan(row.credits), ""],
                    [month, words[2], yuan(-row.debits) if row.debits else yuan(0), ""],
                    [_day(row.closing_on), words[3], "", yuan(row.closing) or DASH],
                ],
            }
        )
    return sections
