"""Reads of customers and what hangs off them. Every function takes the acting staff member and
goes through the one scoping layer (`tenure.org.scoping`); out of scope and missing are the same 404.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from tenure import lake
from tenure.core.crypto import blind_index, normalise_identifier
from tenure.customers.models import OWN_BANK, Account, AccountStatus, Customer, ExternalHolding, Product, ProductType
from tenure.customers.pinyin import as_pinyin_query
from tenure.org.scoping import customers_for, get_scoped_or_404, is_book_owner_default, my_book, scoped

MOBILE = re.compile(r"1[3-9]\d{9}")
RESIDENT_ID = re.compile(r"\d{17}[\dX]|\d{15}")
CARD_OR_ACCOUNT = re.compile(r"\d{12,19}")
# Sorts offered on customer tables: public name -> ORM ordering.
CUSTOMER_SORTS = {
    "name": ("name", "customer_no"),
    "customer_no": ("customer_no",),
    "onboarded_on": ("onboarded_on", "customer_no"),
    "branch": ("branch_id", "customer_no"),
    "aum": ("value__aum", "customer_no"),  # as of the published nightly run
}
VIEW_BOOK = "book"
VIEW_ALL = "all"


def default_view(user) -> str:
    """RMs open on their own book; everyone else on everything they may see."""
    return VIEW_BOOK if is_book_owner_default(user) else VIEW_ALL


def customer_list(*, user, view: str | None = None, sort: str = "name", descending: bool = False) -> QuerySet:
    """Customers `user` may see, narrowed to their book when `view` is "book"."""
    queryset = customers_for(user).select_related("branch", "rm", "value")
    if (view or default_view(user)) == VIEW_BOOK:
        queryset = my_book(queryset, user)
    ordering = CUSTOMER_SORTS.get(sort, CUSTOMER_SORTS["name"])
    if descending:
        ordering = tuple(f"-{field}" for field in ordering)
    return queryset.order_by(*ordering)


def search_condition(q: str) -> Q | None:
    """What a search box entry can mean, as one condition; None when the entry is empty.

    Names match by prefix, also as pinyin (full or initials); customer numbers exactly; mobile,
    resident ID, card and account numbers exactly through their blind index, so the encrypted
    columns are never decrypted to search.
    """
    q = q.strip()
    if not q:
        return None
    ident = normalise_identifier(q)
    identifiers = Q()
    if MOBILE.fullmatch(ident):
        identifiers |= Q(mobile_bidx=blind_index("mobile", ident))
    if RESIDENT_ID.fullmatch(ident):
        identifiers |= Q(id_number_bidx=blind_index("id_number", ident))
    if CARD_OR_ACCOUNT.fullmatch(ident):
        owners = Account.objects.filter(
            Q(card_number_bidx=blind_index("card_number", ident))
            | Q(account_number_bidx=blind_index("account_number", ident))
        ).values("customer_id")
        identifiers |= Q(customer_no__in=owners)
    if identifiers:
        # An identifier never travels to the database (or its logs) in clear: only its HMAC.
        return identifiers
    if any(ch.isdigit() for ch in q):
        return Q(customer_no=q)  # names have no digits; customer numbers do
    letters = as_pinyin_query(q)
    if letters:  # "wangf" or "wf" for 王芳; foreign names are matched as typed too
        return (
            Q(name_pinyin__gte=letters, name_pinyin__lt=letters + "\U0010ffff")
            | Q(name_initials__gte=letters, name_initials__lt=letters + "\U0010ffff")
            | Q(name__gte=q, name__lt=q + "\U0010ffff")
        )
    # A range rather than LIKE: it uses the name index on SQLite and PostgreSQL alike, and one
    # index (no OR) keeps ORDER BY name + LIMIT cheap even for the commonest family names.
    return Q(name__gte=q, name__lt=q + "\U0010ffff")


def customer_search(*, user, q: str, view: str | None = None, sort: str = "name", descending: bool = False):
    """Customers matching the search box entry, within scope (and the book, for RMs by default)."""
    queryset = customer_list(user=user, view=view, sort=sort, descending=descending)
    condition = search_condition(q)
    return queryset if condition is None else queryset.filter(condition)


def customer_get(*, user, customer_id: int, ip: str | None = None) -> Customer:
    """One customer by id, or 404 when missing *or* out of scope (indistinguishable on purpose; the
    latter is audited)."""
    return get_scoped_or_404(Customer.objects.select_related("branch", "rm"), user, ip=ip, pk=customer_id)


def account_list(*, user, customer: Customer | None = None) -> QuerySet:
    queryset = scoped(Account.objects.select_related("product", "customer"), user)
    if customer is not None:
        queryset = queryset.filter(customer_id=customer.customer_no)
    return queryset.order_by("customer_id", "account_id")


def account_get(*, user, account_pk: int, customer: Customer | None = None, ip: str | None = None) -> Account:
    """One account in scope, or 404 (out of scope audited); with `customer`, one of theirs or 404."""
    account = get_scoped_or_404(Account.objects.select_related("product", "customer"), user, ip=ip, pk=account_pk)
    if customer is not None and account.customer_id != customer.customer_no:
        raise Http404("No such record")
    return account


def holding_list(*, user, customer: Customer | None = None) -> QuerySet:
    """Competitor products customers are known to hold, in scope."""
    queryset = scoped(ExternalHolding.objects.select_related("product", "customer"), user)
    if customer is not None:
        queryset = queryset.filter(customer_id=customer.customer_no)
    return queryset.order_by("maturity_date", "holding_id")


# Own products whose maturity frees the customer's money (docs/data-formats.md, accounts.maturity_date).
MATURING_TYPES = (ProductType.TIME_DEPOSIT, ProductType.WEALTH)


@dataclass(frozen=True)
class Maturity:
    """One own-product account maturing: `amount` is its latest month-end balance in yuan (None when
    the lake holds none yet), `date` the maturity date from the extract."""

    account: Account
    customer: Customer
    product: Product
    amount: Decimal | None
    date: dt.date


def maturities_between(customers: QuerySet, start: dt.date, end: dt.date) -> list[Maturity]:
    """Open time-deposit and wealth accounts of `customers` (a scoped queryset: the caller's scope is
    the scope) maturing from `start` to `end` inclusive, soonest first, each with its latest balance
    (one lake read for all of them)."""
    accounts = list(
        Account.objects.filter(
            customer__in=customers,
            maturity_date__gte=start,
            maturity_date__lte=end,
            product__product_type__in=MATURING_TYPES,
            product__issuer=OWN_BANK,
            closed_on__isnull=True,
        )
        .exclude(status=AccountStatus.CLOSED)
        .select_related("product", "customer")
        .order_by("maturity_date", "account_id")
    )
    by_date = lake.balances_by_date([a.account_id for a in accounts], months=1) if accounts else {}
    latest = by_date[max(by_date)] if by_date else {}
    return [
        Maturity(a, a.customer, a.product, latest.get(a.account_id), a.maturity_date)
        for a in accounts
        if a.maturity_date is not None
    ]
