"""The extract format: tables, columns, types, code lists, keys and references.

This module is the single source of truth shared by the importer (validation), the synthetic
bank generator (which must write exactly this format) and `docs/data-formats.md`.

A business-date folder ``YYYY-MM-DD`` holds one file per table (``<table>.csv`` or
``<table>.parquet``). Dimension tables carry new and changed rows (the first folder carries
everything); fact tables carry the period ending on the business date: balances as at the
date, transactions since the previous business date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["str", "int", "decimal", "date", "datetime", "bool", "code"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "str"
    required: bool = True
    codes: tuple[str, ...] = ()
    max_length: int = 100
    scale: int = 2  # decimals: most digits allowed after the point
    check: str = ""  # resident_id | luhn | mobile | email | digits | positive
    references: str = ""  # "<table>.<column>": must exist in this folder or already be imported
    sensitive: str = ""  # blind-index kind; value is encrypted in the DB and only indexed in the lake
    lake: bool = True  # False: personal text kept out of the lake (names, addresses, e-mail)
    future: bool = False  # dates: may lie after the business date (maturity dates); others may not
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    kind: Literal["dimension", "fact"]
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str = ""
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


BRANCH_LEVELS = ("head_office", "branch", "sub_branch")
ROLES = ("rm", "lobby", "branch_head", "analyst", "service", "compliance", "admin")
CUSTOMER_TYPES = ("personal", "corporate", "merchant")
GENDERS = ("M", "F", "U")
RISK_TOLERANCES = ("C1", "C2", "C3", "C4", "C5")
LANGUAGES = ("zh", "en")  # the language the customer reads the bank's messages in
PRODUCT_TYPES = ("current", "savings", "time_deposit", "wealth", "fund", "insurance", "loan", "credit_card")
RISK_RATINGS = ("R1", "R2", "R3", "R4", "R5")
ACCOUNT_STATUSES = ("active", "dormant", "frozen", "closed")
# Product types whose accounts never mature: an account of these carrying a maturity date is refused.
NEVER_MATURE = ("current", "credit_card")
MERCHANT_CATEGORIES = ("general", "wholesale", "dining", "auto_realty", "livelihood")
DIRECTIONS = ("D", "C")  # D: money out of the account, C: money in
CHANNELS = ("counter", "atm", "mobile", "online", "pos", "agent")
TXN_TYPES = (
    "deposit",
    "withdrawal",
    "transfer_in",
    "transfer_out",
    "purchase",
    "payroll",
    "interest",
    "fee",
    "repayment",
    "refund",
    "product_buy",
    "product_redeem",
)
OWN_BANK_ISSUER = "BANK"
# What a queue ticket was drawn for at the branch's ticket machine (取号机).
SERVICE_TYPES = ("cash", "account", "wealth", "loan", "card", "enquiry")

# Columns that must never appear in an extract: authentication data (PCI DSS / JR/T 0171 C3).
FORBIDDEN_COLUMN_WORDS = ("cvv", "cvc", "cvn", "pin", "track", "magstripe", "card_verification")

TABLES: tuple[Table, ...] = (
    Table(
        "branches",
        "dimension",
        ("branch_code",),
        (
            Column("branch_code", max_length=16),
            Column(
                "parent_code",
                required=False,
                max_length=16,
                references="branches.branch_code",
                description="empty for the head office",
            ),
            Column("name"),
            Column("name_en", required=False),
            Column("level", "code", codes=BRANCH_LEVELS),
            Column("city", required=False, max_length=50),
        ),
        "Head office → branches → sub-branches.",
    ),
    Table(
        "staff",
        "dimension",
        ("employee_no",),
        (
            Column("employee_no", max_length=32),
            Column("name"),
            Column("branch_code", max_length=16, references="branches.branch_code"),
            Column("role", "code", codes=ROLES),
        ),
        "Relationship managers and other staff who own customers.",
    ),
    Table(
        "products",
        "dimension",
        ("product_code",),
        (
            Column("product_code", max_length=32),
            Column("name"),
            Column("product_type", "code", codes=PRODUCT_TYPES),
            Column("risk_rating", "code", codes=RISK_RATINGS),
            Column("term_months", "int", required=False),
            Column("rate", "decimal", required=False, scale=4, description="% per year"),
            Column("issuer", max_length=64, description=f"'{OWN_BANK_ISSUER}' or a competitor's name"),
            Column("maturity_date", "date", required=False, future=True),
        ),
        "This bank's and competitors' products.",
    ),
    Table(
        "customers",
        "dimension",
        ("customer_no",),
        (
            Column("customer_no", max_length=32),
            Column("customer_type", "code", codes=CUSTOMER_TYPES),
            Column("name", lake=False),
            Column("gender", "code", required=False, codes=GENDERS),
            Column("birth_date", "date", required=False),
            Column("lunar_birthday", "bool", required=False),
            Column("id_number", required=False, max_length=18, check="resident_id", sensitive="id_number"),
            Column("mobile", required=False, max_length=11, check="mobile", sensitive="mobile"),
            Column("email", required=False, max_length=254, check="email", lake=False),
            Column("address", required=False, max_length=255, lake=False),
            Column("city", required=False, max_length=50),
            Column("occupation", required=False),
            Column("risk_tolerance", "code", required=False, codes=RISK_TOLERANCES),
            Column(
                "risk_assessed_on",
                "date",
                required=False,
                description="the day `risk_tolerance` was assessed; it counts for 12 months (docs/offers.md). Empty:"
                " date unknown, which counts as expired",
            ),
            Column("consent_sms", "bool", required=False),
            Column("consent_email", "bool", required=False),
            Column("consent_phone", "bool", required=False),
            Column("consent_push", "bool", required=False),
            Column("consent_marketing", "bool", required=False),
            Column(
                "consent_profiling",
                "bool",
                required=False,
                lake=False,
                description="0 = the customer refused automated profiling (not scored); empty = 1",
            ),
            Column("onboarded_on", "date"),
            Column("branch_code", max_length=16, references="branches.branch_code"),
            Column(
                "rm_employee_no",
                required=False,
                max_length=32,
                references="staff.employee_no",
                description="empty: the branch's unassigned pool; a move made in Tenure that this column has not"
                " caught up with is kept and reported (docs/book.md)",
            ),
            Column(
                "language",
                "code",
                required=False,
                codes=LANGUAGES,
                lake=False,
                description="the language of the bank's messages to the customer (docs/messaging.md); empty: zh",
            ),
        ),
        "Personal, corporate and merchant customers.",
    ),
    Table(
        "accounts",
        "dimension",
        ("account_id",),
        (
            Column("account_id", max_length=32, description="core banking's internal account key"),
            Column("customer_no", max_length=32, references="customers.customer_no"),
            Column("product_code", max_length=32, references="products.product_code"),
            Column("account_number", max_length=32, check="digits", sensitive="account_number"),
            Column("card_number", required=False, max_length=19, check="luhn", sensitive="card_number"),
            Column("opened_on", "date"),
            Column("closed_on", "date", required=False),
            Column("status", "code", codes=ACCOUNT_STATUSES),
            Column(
                "maturity_date",
                "date",
                required=False,
                future=True,
                description="the day the current term ends (time deposits, term wealth products); not before"
                " `opened_on`; empty for products that never mature, and refused on current and credit-card"
                " accounts",
            ),
            Column(
                "rate",
                "decimal",
                required=False,
                scale=4,
                description="% per year agreed for this account (a deposit keeps the rate of the day it was"
                " opened, a preferential rate differs from the list); empty: the product's rate applies",
            ),
        ),
        "Accounts and cards (one row per account; a card-linked account carries its card number).",
    ),
    Table(
        "merchants",
        "dimension",
        ("merchant_no",),
        (
            Column("merchant_no", max_length=32),
            Column("customer_no", required=False, max_length=32, references="customers.customer_no"),
            Column("name"),
            Column("category", "code", codes=MERCHANT_CATEGORIES),
            Column("discount_rate", "decimal", scale=4, description="% of card volume, e.g. 0.0800"),
            Column("capped", "bool"),
            Column("cap_amount", "decimal", required=False, description="yuan per transaction when capped"),
            Column("branch_code", max_length=16, references="branches.branch_code"),
            Column("opened_on", "date"),
        ),
        "Acquiring merchants (five categories).",
    ),
    Table(
        "external_holdings",
        "dimension",
        ("holding_id",),
        (
            Column("holding_id", max_length=32),
            Column("customer_no", max_length=32, references="customers.customer_no"),
            Column("product_code", max_length=32, references="products.product_code"),
            Column("amount", "decimal", check="positive"),
            Column("bought_on", "date"),
            Column("maturity_date", "date", required=False, future=True),
        ),
        "Competitor products customers are known to hold.",
    ),
    Table(
        "balances",
        "fact",
        ("account_id",),
        (
            Column("account_id", max_length=32, references="accounts.account_id"),
            Column("balance", "decimal", description="yuan at end of the business date; loans: outstanding"),
            Column(
                "avg_daily_balance",
                "decimal",
                required=False,
                description="average daily balance since the previous business date",
            ),
        ),
        "Balance of every open account as at the business date.",
    ),
    Table(
        "transactions",
        "fact",
        ("txn_id",),
        (
            Column("txn_id", max_length=40),
            Column("account_id", max_length=32, references="accounts.account_id"),
            Column("txn_time", "datetime", description="YYYY-MM-DD HH:MM:SS, Beijing time"),
            Column("amount", "decimal", check="positive"),
            Column("direction", "code", codes=DIRECTIONS),
            Column("channel", "code", codes=CHANNELS),
            Column("txn_type", "code", codes=TXN_TYPES),
            Column("counterparty", required=False, lake=True),
            Column("merchant_no", required=False, max_length=32, references="merchants.merchant_no"),
        ),
        "Account and card transactions after the previous business date, up to this one.",
    ),
    Table(
        "queue_tickets",
        "fact",
        ("branch_code", "ticket_no", "issued_at"),
        (
            Column("branch_code", max_length=16, references="branches.branch_code"),
            Column("ticket_no", max_length=16, description="the number printed on the ticket, e.g. A023"),
            Column("service_type", "code", codes=SERVICE_TYPES),
            Column(
                "customer_no",
                required=False,
                max_length=32,
                references="customers.customer_no",
                description="when the customer was identified (card or ID at the machine); empty otherwise",
            ),
            Column("issued_at", "datetime", description="the ticket was drawn; Beijing time"),
            Column(
                "called_at",
                "datetime",
                required=False,
                description="called to a window; not before `issued_at`. Empty: the customer walked away",
            ),
            Column(
                "finished_at",
                "datetime",
                required=False,
                description="service finished; not before `called_at`, and empty when `called_at` is",
            ),
        ),
        "Branch queue tickets (取号机) issued after the previous business date, up to this one.",
    ),
    Table(
        "repayments",
        "fact",
        ("account_id", "due_date"),
        (
            Column("account_id", max_length=32, references="accounts.account_id"),
            Column(
                "due_date",
                "date",
                future=True,
                description="a repayment day after the business date: a loan's instalment, a credit card's"
                " payment due date",
            ),
            Column("amount_due", "decimal", check="positive", description="yuan due on that day"),
        ),
        "Optional: the repayment schedule of loans and credit cards as at the business date — the next"
        " repayments core banking has scheduled. Repayment reminders (docs/messaging.md) use the latest one"
        " imported; an extract that never carries it has its repayment days derived from the opening day.",
    ),
)

TABLE_BY_NAME = {t.name: t for t in TABLES}
# Import order: referenced tables first.
IMPORT_ORDER = tuple(t.name for t in TABLES)
