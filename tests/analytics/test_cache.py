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


def test_a_request_asks_for_the_data_version_once(db, django_assert_num_queries):
    from tenure.analytics import cache

    cache.request_started()
    try:
        with django_assert_num_queries(3):
            first = cache.data_version()
            assert cache.data_version() == first
    finally:
        cache.request_finished()
    _nightly_step()
    with django_assert_num_queries(6):  # outside a request: asked each time, so a write is seen
        assert cache.data_version() != first
        cache.data_version()


def test_a_page_view_opens_and_closes_the_memo(db, client):
    from tenure.analytics import cache

    versions = []
    first = cache.data_version()
    client.get("/healthz")  # request_started, then request_finished: nothing is left memoised
    _nightly_step()
    versions.append(cache.data_version())
    assert versions != [first]


def _nightly_step() -> None:
    NightlyRun.objects.create(
        business_date=dt.date(2026, 2, 28), step="tiers", run_key="k2", config_version=1, engine="duckdb",
        status="done",
    )  # fmt: skip


def test_a_paged_lists_count_is_shared_by_its_pages_until_the_data_changes(db):
    from tenure.analytics.cache import CountedPaginator
    from tenure.org.models import Branch

    def pages(key: str) -> CountedPaginator:
        return CountedPaginator(Branch.objects.order_by("code"), 2, namespace="t", key_parts=(key,))

    Branch.objects.create(code="B1", name="一", path="/B1/")
    assert pages("all").count == 1
    Branch.objects.create(code="B2", name="二", path="/B2/")
    assert pages("all").count == 1  # kept: a change without a new data version is not counted
    assert pages("other").count == 2  # other key parts: counted afresh
    NightlyRun.objects.create(
        business_date=dt.date(2026, 1, 31), step="activity", run_key="k", config_version=1, engine="duckdb",
        status="done",
    )  # fmt: skip
    assert pages("all").count == 2  # new data: counted again
