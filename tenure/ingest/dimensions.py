"""Dimension tables into the operational DB: batched upserts, encryption, blind indexes, staff roles.

Each extract table maps to one model keyed by a unique field. Rows are upserted in batches
(`bulk_create(update_conflicts=True)`), so a changed customer simply overwrites the stored
one; sensitive values are encrypted by `EncryptedTextField` and their blind index is computed
here. Keys already in the DB are also what later folders' references are checked against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyarrow as pa
from django.contrib.auth.hashers import make_password
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from tenure.core.crypto import blind_index
from tenure.core.progress import Progress
from tenure.customers.models import Account, Customer, ExternalHolding, Merchant, Product
from tenure.org.models import Branch, Staff
from tenure.org.services import branch_paths_rebuild, staff_set_roles

BATCH_SIZE = 1000


@dataclass(frozen=True)
class Target:
    """Where a dimension table goes: its model, key field, and how a row becomes field values."""

    model: type[models.Model]
    key_field: str
    fields: Callable[[dict, dt.date], dict]
    dated: bool = True  # the model has `updated_on` (the business date that last changed the row)


def _bidx(kind: str, value: str | None) -> str:
    return blind_index(kind, value) if value else ""


def _branch(row: dict, _: dt.date) -> dict:
    return {
        "code": row["branch_code"],
        "parent_id": row["parent_code"],
        "name": row["name"],
        "name_en": row["name_en"] or "",
        "level": row["level"],
        "city": row["city"] or "",
    }


def _staff(row: dict, _: dt.date) -> dict:
    return {
        "employee_no": row["employee_no"],
        "username": row["employee_no"],
        "full_name": row["name"],
        "home_branch_id": row["branch_code"],
    }


def _product(row: dict, _: dt.date) -> dict:
    return {
        "code": row["product_code"],
        "name": row["name"],
        "product_type": row["product_type"],
        "risk_rating": row["risk_rating"],
        "term_months": row["term_months"],
        "rate": row["rate"],
        "issuer": row["issuer"],
        "maturity_date": row["maturity_date"],
    }


def _customer(row: dict, _: dt.date) -> dict:
    flags = ("lunar_birthday", "consent_sms", "consent_email", "consent_phone", "consent_push", "consent_marketing")
    text = ("email", "address", "city", "occupation", "risk_tolerance")
    return {
        "customer_no": row["customer_no"],
        "customer_type": row["customer_type"],
        "name": row["name"],
        "gender": row["gender"] or "U",
        "birth_date": row["birth_date"],
        "id_number": row["id_number"] or "",
        "id_number_bidx": _bidx("id_number", row["id_number"]),
        "mobile": row["mobile"] or "",
        "mobile_bidx": _bidx("mobile", row["mobile"]),
        "onboarded_on": row["onboarded_on"],
        "branch_id": row["branch_code"],
        "rm_id": row["rm_employee_no"],
        **{name: bool(row[name]) for name in flags},
        **{name: row[name] or "" for name in text},
    }


def _account(row: dict, _: dt.date) -> dict:
    return {
        "account_id": row["account_id"],
        "customer_id": row["customer_no"],
        "product_id": row["product_code"],
        "account_number": row["account_number"],
        "account_number_bidx": _bidx("account_number", row["account_number"]),
        "card_number": row["card_number"] or "",
        "card_number_bidx": _bidx("card_number", row["card_number"]),
        "opened_on": row["opened_on"],
        "closed_on": row["closed_on"],
        "status": row["status"],
    }


def _merchant(row: dict, _: dt.date) -> dict:
    return {
        "merchant_no": row["merchant_no"],
        "customer_id": row["customer_no"],
        "name": row["name"],
        "category": row["category"],
        "discount_rate": row["discount_rate"],
        "capped": bool(row["capped"]),
        "cap_amount": row["cap_amount"],
        "branch_id": row["branch_code"],
        "opened_on": row["opened_on"],
    }


def _holding(row: dict, _: dt.date) -> dict:
    return {
        "holding_id": row["holding_id"],
        "customer_id": row["customer_no"],
        "product_id": row["product_code"],
        "amount": row["amount"],
        "bought_on": row["bought_on"],
        "maturity_date": row["maturity_date"],
    }


TARGETS: dict[str, Target] = {
    "branches": Target(Branch, "code", _branch, dated=False),
    "staff": Target(Staff, "employee_no", _staff, dated=False),
    "products": Target(Product, "code", _product, dated=False),
    "customers": Target(Customer, "customer_no", _customer),
    "accounts": Target(Account, "account_id", _account),
    "merchants": Target(Merchant, "merchant_no", _merchant),
    "external_holdings": Target(ExternalHolding, "holding_id", _holding),
}
# Fields an upsert must not overwrite on an existing row: a staff member's login belongs to Tenure.
_KEEP_ON_UPDATE = {"staff": {"username", "password"}}


def db_keys(table: str) -> pa.Array:
    """Every key of a dimension table already in the operational DB (for reference checks)."""
    target = TARGETS[table]
    keys = target.model.objects.exclude(**{f"{target.key_field}__isnull": True}).values_list(
        target.key_field, flat=True
    )
    return pa.array(list(keys.iterator(chunk_size=20_000)), pa.string())


def integer_digits(table: str, column: str) -> int | None:
    """Digits allowed before the decimal point by the DB field a decimal column is stored in."""
    target = TARGETS.get(table)
    if target is None:
        return None
    try:
        field = target.model._meta.get_field(column)
    except FieldDoesNotExist:
        return None
    if isinstance(field, models.DecimalField):
        return field.max_digits - field.decimal_places
    return None


def upsert(table: str, rows: pa.Table, business_date: dt.date, progress: Progress) -> int:
    """Insert or update every row of a validated dimension table; returns the number of rows."""
    target = TARGETS[table]
    written = 0
    for batch in _batches(rows):
        values = [target.fields(row, business_date) for row in batch]
        if target.dated:
            for v in values:
                v["updated_on"] = business_date
        objects = [target.model(**v) for v in values]
        if table == "staff":
            for obj in objects:
                obj.password = make_password(None)
        keep = _KEEP_ON_UPDATE.get(table, set()) | {target.key_field}
        target.model.objects.bulk_create(
            objects,
            update_conflicts=True,
            unique_fields=[target.key_field],
            update_fields=[name for name in values[0] if name not in keep],
        )
        written += len(objects)
        progress.advance(len(objects))
    if table == "branches" and written:
        branch_paths_rebuild()
    if table == "staff" and written:
        _set_roles(rows)
    return written


def _batches(rows: pa.Table) -> Iterator[list[dict]]:
    for batch in rows.to_batches(max_chunksize=BATCH_SIZE):
        if batch.num_rows:
            yield batch.to_pylist()


def _set_roles(rows: pa.Table) -> None:
    """Give each imported staff member the role of the extract, touching only those that changed."""
    wanted = dict(zip(rows["employee_no"].to_pylist(), rows["role"].to_pylist(), strict=True))
    current: dict[str, set[str]] = {}
    memberships = Staff.groups.through.objects.filter(staff__employee_no__in=list(wanted))
    for employee_no, group in memberships.values_list("staff__employee_no", "group__name"):
        current.setdefault(employee_no, set()).add(group)
    changed = [no for no, role in wanted.items() if current.get(no) != {role}]
    for staff in Staff.objects.filter(employee_no__in=changed):
        staff_set_roles(staff, [wanted[staff.employee_no]])
