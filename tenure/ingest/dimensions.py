"""Dimension tables into the operational DB: batched upserts, encryption, blind indexes, staff roles.

Each extract table maps to one model keyed by a unique field; a changed row overwrites the
stored one. The upsert is one ``INSERT … ON CONFLICT (key) DO UPDATE`` statement run with
`executemany` over batches on SQLite — the statement `bulk_create(update_conflicts=True)` issues,
without building a model instance and compiling SQL per row, which measured 5–8× slower (Django
caps SQLite batches at 999 parameters) — and by COPY on PostgreSQL (`bulk.copy_upsert`). Values
are converted column-wise from Arrow; encrypted fields still go through their model field
(`EncryptedTextField.get_prep_value`), and blind indexes come from the `<column>_bidx` columns
computed once for the lake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from django.contrib.auth.hashers import make_password
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models import ForeignObjectRel

from tenure.core import bulk
from tenure.core.fields import EncryptedTextField
from tenure.core.progress import Progress
from tenure.core.signals import ROWS_UPSERTED
from tenure.customers.models import Account, Customer, ExternalHolding, Merchant, Product
from tenure.customers.pinyin import pinyin_keys
from tenure.org.models import Branch, Staff
from tenure.org.services import branch_paths_rebuild, roles_ensure

BATCH_SIZE = 5000
SQLITE_CACHE_KIB = 512 * 1024
_FLAGS = ("lunar_birthday", "consent_sms", "consent_email", "consent_phone", "consent_push", "consent_marketing")


@dataclass(frozen=True)
class Target:
    """Where a dimension table goes.

    `columns` maps a model field's attname to its extract column, or to (column, value used
    when the extract leaves it empty). `keep` names fields an update must not overwrite.
    """

    model: type[models.Model]
    key_field: str
    columns: dict[str, str | tuple[str, object]]
    dated: bool = True  # the model has `updated_on`: the business date that last changed the row
    keep: frozenset[str] = field(default_factory=frozenset)
    # Fields computed from the mapped ones (attname -> function of the batch's values).
    derived: dict[str, Callable[[dict[str, list]], list]] = field(default_factory=dict)


TARGETS: dict[str, Target] = {
    "branches": Target(
        Branch,
        "code",
        {
            "code": "branch_code",
            "parent_id": "parent_code",
            "name": "name",
            "name_en": ("name_en", ""),
            "level": "level",
            "city": ("city", ""),
        },
        dated=False,
    ),
    "staff": Target(
        Staff,
        "employee_no",
        {"employee_no": "employee_no", "username": "employee_no", "full_name": "name", "home_branch_id": "branch_code"},
        dated=False,
        keep=frozenset({"username"}),  # a login, once created, belongs to Tenure
    ),
    "products": Target(
        Product,
        "code",
        {
            "code": "product_code",
            "name": "name",
            "product_type": "product_type",
            "risk_rating": "risk_rating",
            "term_months": "term_months",
            "rate": "rate",
            "issuer": "issuer",
            "maturity_date": "maturity_date",
        },
        dated=False,
    ),
    "customers": Target(
        Customer,
        "customer_no",
        {
            "customer_no": "customer_no",
            "customer_type": "customer_type",
            "name": "name",
            "gender": ("gender", "U"),
            "birth_date": "birth_date",
            "id_number": ("id_number", ""),
            "id_number_bidx": ("id_number_bidx", ""),
            "mobile": ("mobile", ""),
            "mobile_bidx": ("mobile_bidx", ""),
            "onboarded_on": "onboarded_on",
            "branch_id": "branch_code",
            "rm_id": "rm_employee_no",
            "risk_assessed_on": "risk_assessed_on",
            **{name: (name, "") for name in ("email", "address", "city", "occupation", "risk_tolerance")},
            **{name: (name, False) for name in _FLAGS},
            "consent_profiling": ("consent_profiling", True),  # refusing profiling must be explicit
        },
        derived={
            "name_pinyin": lambda v: [pinyin_keys(n)[0] for n in v["name"]],
            "name_initials": lambda v: [pinyin_keys(n)[1] for n in v["name"]],
        },
    ),
    "accounts": Target(
        Account,
        "account_id",
        {
            "account_id": "account_id",
            "customer_id": "customer_no",
            "product_id": "product_code",
            "account_number": "account_number",
            "account_number_bidx": "account_number_bidx",
            "card_number": ("card_number", ""),
            "card_number_bidx": ("card_number_bidx", ""),
            "opened_on": "opened_on",
            "closed_on": "closed_on",
            "status": "status",
            "maturity_date": "maturity_date",
            "rate": "rate",
        },
    ),
    "merchants": Target(
        Merchant,
        "merchant_no",
        {
            "merchant_no": "merchant_no",
            "customer_id": "customer_no",
            "name": "name",
            "category": "category",
            "discount_rate": "discount_rate",
            "capped": "capped",
            "cap_amount": "cap_amount",
            "branch_id": "branch_code",
            "opened_on": "opened_on",
        },
    ),
    "external_holdings": Target(
        ExternalHolding,
        "holding_id",
        {
            "holding_id": "holding_id",
            "customer_id": "customer_no",
            "product_id": "product_code",
            "amount": "amount",
            "bought_on": "bought_on",
            "maturity_date": "maturity_date",
        },
    ),
}


def db_keys(table: str) -> pa.Array:
    """Every key of a dimension table already in the operational DB (for reference checks)."""
    target = TARGETS[table]
    keys = target.model._default_manager.exclude(**{f"{target.key_field}__isnull": True})
    return pa.array(list(keys.values_list(target.key_field, flat=True).iterator(chunk_size=20_000)), pa.string())


def product_types() -> dict[str, str]:
    """Product code -> product type of every product in the operational DB (account checks)."""
    return dict(Product.objects.values_list("code", "product_type"))


def integer_digits(table: str, column: str) -> int | None:
    """Digits allowed before the decimal point by the DB field a decimal column is stored in."""
    target = TARGETS.get(table)
    try:
        model_field = target.model._meta.get_field(column) if target else None
    except FieldDoesNotExist:
        return None
    if isinstance(model_field, models.DecimalField):
        return model_field.max_digits - model_field.decimal_places
    return None


@contextmanager
def sqlite_page_cache() -> Iterator[None]:
    """A large SQLite page cache while importing: with the default 2 MB, upserts into tables with
    several random-keyed indexes (blind indexes) wait on page reads — measured 2.5× slower at 100k."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        previous = cursor.execute("PRAGMA cache_size").fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def upsert(table: str, rows: pa.Table, business_date: dt.date, progress: Progress) -> int:
    """Insert or update every row of a validated dimension table (typed, with `_bidx` columns)."""
    target = TARGETS[table]
    fields = {f.attname: f for f in target.model._meta.concrete_fields if not f.primary_key}
    given = list(target.columns) + list(target.derived) + (["updated_on"] if target.dated else [])
    # Fields the extract does not carry (a branch's path, a login's password) get their model default
    # on insert and are left alone on update.
    defaults = {n: f.get_db_prep_save(f.get_default(), connection) for n, f in fields.items() if n not in given}
    names = given + list(defaults)
    updated = [fields[n] for n in given if n not in target.keep and n != target.key_field]
    key = _db_column(target.model._meta.get_field(target.key_field))
    conflict = bulk.conflict_clause([key], [_db_column(f) for f in updated])
    sql = bulk.insert_sql(target.model._meta.db_table, [_db_column(fields[n]) for n in names], conflict)
    written = 0
    for batch in rows.to_batches(max_chunksize=BATCH_SIZE):
        if not batch.num_rows:
            continue
        values = _column_values(target, pa.Table.from_batches([batch]), business_date)
        if table == "staff":
            defaults["password"] = [make_password(None) for _ in range(batch.num_rows)]
        for name, default in defaults.items():
            values[name] = default if isinstance(default, list) else [default] * batch.num_rows
        for name in names:
            if isinstance(fields[name], EncryptedTextField):
                values[name] = [fields[name].get_prep_value(v) for v in values[name]]
        if connection.vendor == "postgresql":
            columns = {fields[n].column: pa.array(values[n]) for n in names}
            bulk.copy_upsert(target.model._meta.db_table, pa.table(columns), conflict)
        else:
            with connection.cursor() as cursor:
                cursor.executemany(sql, list(zip(*(values[n] for n in names), strict=True)))
        written += batch.num_rows
        progress.advance(batch.num_rows)
    if table == "branches" and written:
        branch_paths_rebuild()
    if table == "staff" and written:
        _set_roles(rows)
    if written:
        ROWS_UPSERTED.send(sender=table, rows=rows, business_date=business_date)
    return written


def _db_column(model_field: models.Field | ForeignObjectRel) -> str:
    """A concrete field's DB column. The stubs allow None (a relation without a column of its own),
    which the upsert never meets: it names concrete fields only."""
    if not isinstance(model_field, models.Field) or model_field.column is None:
        raise TypeError(f"{model_field!r} has no column of its own")
    return model_field.column


def _column_values(target: Target, batch: pa.Table, business_date: dt.date) -> dict[str, list]:
    values = {}
    for name, source in target.columns.items():
        column, empty = source if isinstance(source, tuple) else (source, None)
        data = batch[column] if empty is None else pc.fill_null(batch[column], empty)
        values[name] = data.to_pylist()
    for name, compute in target.derived.items():
        values[name] = compute(values)
    if target.dated:
        values["updated_on"] = [business_date] * batch.num_rows
    return values


def _set_roles(rows: pa.Table) -> None:
    """Give each imported staff member the role of the extract, touching only those that changed:
    their memberships are replaced in bulk (per member, `staff_set_roles` took ≈ 10 queries)."""
    wanted = dict(zip(rows["employee_no"].to_pylist(), rows["role"].to_pylist(), strict=True))
    current: dict[str | None, set[str]] = {}  # employee_no -> role codes
    memberships = Staff.groups.through.objects.filter(staff__employee_no__in=list(wanted))
    for employee_no, group in memberships.values_list("staff__employee_no", "group__name"):
        current.setdefault(employee_no, set()).add(group)
    changed = [no for no, role in wanted.items() if current.get(no) != {role}]
    if not changed:
        return
    groups = roles_ensure()
    ids = dict(Staff.objects.filter(employee_no__in=changed).values_list("employee_no", "pk"))
    through = Staff.groups.through
    through.objects.filter(staff_id__in=list(ids.values())).delete()
    through.objects.bulk_create(
        [through(staff_id=ids[no], group_id=groups[wanted[no]].pk) for no in changed], batch_size=BATCH_SIZE
    )
