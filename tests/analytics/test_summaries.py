"""Transaction summaries (tenure/ingest/summaries.py) and the nightly that reads them.

- a summary equals a direct recomputation from its raw rows (property test);
- the features computed from summaries equal the features computed from raw rows alone, for
  business dates whose 90- and 365-day windows cut a month in two or not, and with only some
  partitions summarised;
- the whole nightly's digest is the same from summaries, from raw rows alone and after `--full`.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenure import lake
from tenure.analytics.benchmark import write_synthetic_lake
from tenure.analytics.config import active_config
from tenure.analytics.engine import release
from tenure.analytics.features import Dates, customer_features
from tenure.analytics.steps import run_nightly
from tenure.ingest import summaries
from tenure.ingest.schema import CHANNELS, TXN_TYPES

MONEY = pa.decimal128(18, 2)

transaction = st.fixed_dictionaries(
    {
        "account_id": st.sampled_from(["A1", "A2", "A3"]),
        "txn_time": st.datetimes(min_value=dt.datetime(2024, 12, 30), max_value=dt.datetime(2025, 3, 2)),
        "amount": st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
        "direction": st.sampled_from(["D", "C"]),
        "channel": st.sampled_from(CHANNELS),
        "txn_type": st.sampled_from(TXN_TYPES),
        "counterparty": st.one_of(st.none(), st.sampled_from(["P1", "P2"])),
    }
)


def _table(rows: list[dict]) -> pa.Table:
    types = {"txn_time": pa.timestamp("s"), "amount": MONEY}
    names = ("account_id", "txn_time", "amount", "direction", "channel", "txn_type", "counterparty")
    return pa.table({name: pa.array([r[name] for r in rows], types.get(name, pa.string())) for name in names})


def _expected(rows: list[dict]) -> tuple[dict, dict]:
    """The summaries by hand: plain Python over the rows."""
    months: dict = defaultdict(lambda: defaultdict(lambda: None))
    payers: dict = defaultdict(Decimal)
    for r in rows:
        day = r["txn_time"].date()
        month = day.year * 12 + day.month - 1
        if r["txn_type"] in ("interest", "fee"):
            continue
        m = months[(r["account_id"], month)]

        def add(key, value, combine=lambda a, b: a + b, m=m):
            m[key] = value if m[key] is None else combine(m[key], value)

        add("last_day", day, max)
        add("day_bits", 1 << (day.day - 1), lambda a, b: a | b)
        add("n", 1)
        add("amount", r["amount"])
        for c in CHANNELS:
            add(f"n_{c}", int(r["channel"] == c))
        add("payroll_n", int(r["direction"] == "C" and r["txn_type"] == "payroll"))
        if r["txn_type"] == "purchase" and r["direction"] == "D":
            add("purchases", r["amount"])
        if r["direction"] == "D" and r["txn_type"] in ("transfer_out", "withdrawal"):
            add("outflow", r["amount"])
            add("max_outflow", r["amount"], max)
        if r["direction"] == "C" and r["txn_type"] in ("payroll", "transfer_in") and r["counterparty"]:
            payers[(r["account_id"], r["counterparty"], month)] += r["amount"]
    return {k: dict(v) for k, v in months.items()}, dict(payers)


@settings(max_examples=60, deadline=None)
@given(st.lists(transaction, max_size=40))
def test_a_summary_equals_a_recomputation_from_its_raw_rows(rows):
    rows = [r | {"txn_time": r["txn_time"].replace(microsecond=0)} for r in rows]
    tables = summaries.summary_tables(_table(rows))
    want_months, want_payers = _expected(rows)
    got_months = {
        (r["account_id"], r["month"]): {k: v for k, v in r.items() if k not in ("account_id", "month")}
        for r in tables["txn_account_months"].to_pylist()
    }
    for key, want in want_months.items():
        assert {k: v for k, v in got_months[key].items() if v is not None} == want
    assert set(got_months) == set(want_months)
    got_payers = {
        (r["account_id"], r["counterparty"], r["month"]): r["amount"] for r in tables["txn_payer_months"].to_pylist()
    }
    assert got_payers == want_payers
    metadata = tables["txn_account_months"].schema.metadata
    if want_months:
        months = [m for _, m in want_months]
        assert metadata[summaries.MONTHS_KEY] == f"{min(months)},{max(months)}".encode()


@pytest.fixture
def synthetic(lake, db):
    """300 customers × 13 month-ends up to 2025-12-31, summaries written as an import writes them."""
    write_synthetic_lake(300, months=13)
    return lake


def _features(day: dt.date) -> pa.Table:
    con = lake.connect("duckdb")
    table = customer_features(con, Dates.for_day(day), active_config().rules).order_by("customer_no").to_pyarrow()
    release(con)
    return table


def _without_summaries(lake_dir, days: list[dt.date] | None = None) -> None:
    for name in summaries.SUMMARIES:
        for path in (lake_dir / name).glob("business_date=*"):
            if days is None or lake.partition_date(path / "data.parquet") in days:
                shutil.rmtree(path)


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2025, 12, 31),  # a month-end: only the month of D − 90 days is cut
        dt.date(2025, 11, 3),  # mid-month: D's own month is partial, D − 90 days cuts August
        dt.date(2025, 9, 28),  # D − 90 days is a month-end: no month cut by the 90-day window
        dt.date(2026, 1, 20),  # the 365-day window cuts January 2025, which holds transactions
    ],
)
def test_features_from_summaries_equal_features_from_raw_rows(synthetic, day):
    from_summaries = _features(day)
    assert from_summaries.num_rows == 300
    _without_summaries(synthetic)
    assert _features(day).equals(from_summaries)


def test_a_partition_without_its_summaries_is_read_raw(synthetic):
    day = dt.date(2025, 12, 31)
    whole = _features(day)
    _without_summaries(synthetic, [dt.date(2025, 3, 31), dt.date(2025, 11, 30)])
    assert [p.summaries is None for p in summaries.partitions(after=None, upto=day)].count(True) == 2
    assert _features(day).equals(whole)


def test_the_nightly_digest_is_the_same_from_summaries_raw_rows_and_a_full_rebuild(synthetic, monkeypatch):
    day = dt.date(2025, 12, 31)
    first = run_nightly(day, show_progress=False)
    assert first["summaries_rebuilt"] == 0  # written with the lake, as an import does
    full = run_nightly(day, full=True, show_progress=False)
    assert full["summaries_rebuilt"] == 13 and full["digest"] == first["digest"]
    assert sum(full["written"].values()) > 0  # every step computed again, not skipped
    # Raw rows alone: no summary on disk and none rebuilt.
    _without_summaries(synthetic)
    monkeypatch.setattr("tenure.analytics.steps.ensure_summaries", lambda day, full: [])
    raw = run_nightly(day, full=True, show_progress=False)
    assert raw["digest"] == first["digest"]


def test_a_missing_or_outdated_summary_is_rebuilt_by_the_next_nightly(synthetic, monkeypatch):
    day = dt.date(2025, 12, 31)
    _without_summaries(synthetic, [dt.date(2025, 6, 30)])
    monkeypatch.setattr(summaries, "VERSION", "older")
    assert summaries.ensure_summaries(day) == [d for d, _ in lake.vouched_partitions("transactions")]
    monkeypatch.undo()
    rebuilt = run_nightly(day, show_progress=False)["summaries_rebuilt"]
    assert rebuilt == 13  # written under "older": every one rebuilt under the current version
    assert summaries.ensure_summaries(day) == []
