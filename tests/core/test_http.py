"""Request helpers: the client IP behind our own proxies, and the per-IP rate limit."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from tenure.core.http import client_ip, over_rate_limit


def test_client_ip_trusts_only_our_own_proxy_hops(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4, 10.0.0.4")
    settings.TENURE_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.5"  # no proxy of ours: the header is the client's word only
    settings.TENURE_PROXY_COUNT = 2
    assert client_ip(request) == "1.2.3.4"  # 6.6.6.6 was written by the client
    settings.TENURE_PROXY_COUNT = 4
    assert client_ip(request) == "10.0.0.5"  # fewer hops than our proxies: not through them


@pytest.mark.django_db
def test_rate_limit_counts_per_scope_and_ip():
    assert [over_rate_limit("t", "1.2.3.4", limit=2, window=60) for _ in range(3)] == [False, False, True]
    assert not over_rate_limit("t", "1.2.3.5", limit=2, window=60)
    assert not over_rate_limit("other", "1.2.3.4", limit=2, window=60)


@pytest.mark.django_db
def test_rate_limit_window_starts_again_once_over(monkeypatch):
    import datetime as dt

    from django.utils import timezone

    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start)
    assert [over_rate_limit("w", "9.9.9.9", limit=1, window=60) for _ in range(2)] == [False, True]
    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(seconds=61))
    assert [over_rate_limit("w", "9.9.9.9", limit=1, window=60) for _ in range(2)] == [False, True]


def test_record_ids_are_ascii_digits_that_fit_a_database_integer():
    from tenure.core.http import record_id

    assert [record_id(t) for t in ("42", "007", "9" * 18)] == [42, 7, 10**18 - 1]
    assert [record_id(t) for t in ("", None, "²", "١", "-1", "1e3", "9" * 19, "1\x00", " 1")] == [None] * 9
