"""Aggregates are cached per data version: a second view reuses them, an import or nightly run
makes them stale (tenure.analytics.cache)."""

from __future__ import annotations

import datetime as dt

from tenure.analytics.cache import cached
from tenure.analytics.models import NightlyRun


def test_a_value_is_computed_once_per_data_version(db):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cached("t", ("scope",), compute) == 1
    assert cached("t", ("scope",), compute) == 1  # the same version: cached
    assert cached("t", ("other",), compute) == 2  # another scope: its own value
    NightlyRun.objects.create(
        business_date=dt.date(2026, 1, 31), step="activity", run_key="k", config_version=1, engine="duckdb",
        status="done",
    )  # fmt: skip
    assert cached("t", ("scope",), compute) == 3  # a nightly step finished: computed again
