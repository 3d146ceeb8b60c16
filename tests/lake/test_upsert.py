"""`lake.upsert` writes exactly the rows it is given, inserted or updated, on SQLite and PostgreSQL.

On PostgreSQL the rows travel as CSV through COPY: text with quotes, commas, line breaks and
Chinese, empty text against null, decimals, dates, booleans and doubles must all come back as sent.
"""

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenure import lake
from tenure.analytics.models import CustomerValue

pytestmark = pytest.mark.django_db

MONEY = pa.decimal128(18, 2)
TYPES = {
    "customer_no": pa.string(),
    "config_version": pa.int64(),
    "branch_code": pa.string(),
    "aum": MONEY,
    "aum_change_1m": MONEY,
    "avg_daily_aum_3m": MONEY,
    "product_count": pa.int64(),
    "last_transaction_on": pa.date32(),
    "frequency_90d": pa.int64(),
    "has_payroll": pa.bool_(),
    "next_competitor_maturity": pa.date32(),
    "asset_tier": pa.string(),
    "previous_tier": pa.string(),
    "downgrade_warning": pa.bool_(),
    "contribution": MONEY,
    "contribution_rank": pa.int64(),
    "value_level": pa.string(),
    "branch_value_level": pa.string(),
    "potential_score": pa.float64(),
    "likely_tier_riser": pa.bool_(),
    "likely_level_riser": pa.bool_(),
    "suggestion": pa.string(),
    "loss_making": pa.bool_(),
}
# PostgreSQL text cannot hold NUL; everything else, CSV's own quote, comma and line break included.
text = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=16)
# SQLite keeps decimals as doubles: exact to 15 significant digits (a trillion yuan, to the fen).
money = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False)
day = st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31))
count = st.integers(0, 2**31 - 1)
VALUES = {
    "config_version": count,
    "branch_code": text,
    "aum": money,
    "aum_change_1m": st.none() | money,
    "avg_daily_aum_3m": money,
    "product_count": count,
    "last_transaction_on": st.none() | day,
    "frequency_90d": count,
    "has_payroll": st.booleans(),
    "next_competitor_maturity": st.none() | day,
    "asset_tier": text,
    "previous_tier": text,
    "downgrade_warning": st.booleans(),
    "contribution": money,
    "contribution_rank": count,
    "value_level": text,
    "branch_value_level": text,
    "potential_score": st.floats(allow_nan=False, allow_infinity=False, width=32),
    "likely_tier_riser": st.booleans(),
    "likely_level_riser": st.booleans(),
    "suggestion": text,
    "loss_making": st.booleans(),
}
row = st.fixed_dictionaries(VALUES)


def _table(rows: dict[str, dict]) -> pa.Table:
    records = [{"customer_no": key, **values} for key, values in rows.items()]
    return pa.table({name: pa.array([r[name] for r in records], type=kind) for name, kind in TYPES.items()})


def _stored() -> dict[str, dict]:
    return {r.pop("customer_id"): r for r in CustomerValue.objects.values(*VALUES, "customer_id")}


keys = st.lists(st.text("C0123456789", min_size=1, max_size=8), min_size=1, max_size=12, unique=True)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(keys.flatmap(lambda ks: st.tuples(st.just(ks), st.lists(row, min_size=len(ks), max_size=len(ks)))), st.data())
def test_upsert_stores_what_it_is_given_and_updates_on_the_key(first, data):
    CustomerValue.objects.all().delete()
    customers, values = first
    expected = dict(zip(customers, values, strict=True))
    assert lake.upsert(CustomerValue._meta.db_table, ("customer_no",), _table(expected)) == len(expected)
    assert _stored() == expected

    # Again with some of the same keys (updated in place) and some new ones (inserted).
    changed = data.draw(st.lists(st.sampled_from(customers), unique=True))
    added = data.draw(st.lists(st.text("D0123456789", min_size=1, max_size=8), max_size=4, unique=True))
    second = {key: data.draw(row) for key in changed + added}
    most_rows = data.draw(st.booleans())  # SQLite then builds the secondary indexes afresh
    lake.upsert(CustomerValue._meta.db_table, ("customer_no",), _table(second), most_rows=most_rows)
    assert _stored() == expected | second
    # Read through each secondary index: a rebuilt index holds every row.
    final = expected | second
    for column in ("branch_code", "asset_tier", "value_level"):
        for value in {v[column] for v in final.values()}:
            found = CustomerValue.objects.filter(**{column: value}).values_list("customer_id", flat=True)
            assert sorted(found) == sorted(k for k, v in final.items() if v[column] == value)


def _indexes() -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, CustomerValue._meta.db_table)


def test_a_write_of_most_rows_leaves_the_same_indexes():
    before = _indexes()
    # Branch, tier, level.
    assert sum(1 for c in before.values() if c["index"] and not c["unique"]) >= 3
    with transaction.atomic():
        lake.upsert(CustomerValue._meta.db_table, ("customer_no",), _table({"C1": _valid_row()}), most_rows=True)
    assert _indexes() == before
    assert CustomerValue.objects.filter(customer_id="C1").exists()


def test_a_failed_write_of_most_rows_keeps_the_indexes():
    before = _indexes()
    with pytest.raises(IntegrityError), transaction.atomic():
        lake.upsert(
            CustomerValue._meta.db_table, ("customer_no",), _table({"C1": _valid_row() | {"aum": None}}), most_rows=True
        )
    assert _indexes() == before
    assert not CustomerValue.objects.exists()


def _valid_row() -> dict:
    values = {name: None for name in VALUES} | {"config_version": 1, "aum": Decimal("1.00")}
    values |= {name: "x" for name in ("branch_code", "asset_tier", "previous_tier", "value_level")}
    values |= {name: "x" for name in ("branch_value_level", "suggestion")}
    values |= {"avg_daily_aum_3m": Decimal(0), "product_count": 0, "frequency_90d": 0, "contribution": Decimal(0)}
    values |= {"contribution_rank": 1, "potential_score": 0.0}
    values |= {name: False for name in ("has_payroll", "downgrade_warning", "likely_tier_riser", "likely_level_riser")}
    return values | {"loss_making": False}
