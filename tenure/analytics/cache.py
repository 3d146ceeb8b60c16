"""Aggregates cached per imported-data version: a page's figures are computed once per import,
nightly run or book move, not on every view (issue 29: the loyalty dashboard took 2–10 s a view).
The part of a key that says what the reader may see is `org.scoping.scope_key`.

The key holds the caller's parts (scope, filters, language) and the data version, so a cached value
never outlives the data it was computed from; `CACHE_SECONDS` bounds it for what the version does
not see (a deactivated member of staff's scope). Data that staff change in the app rather than by
an import (complaints, say) is the caller's to name in its key parts, with its own version
(`complaints.selectors.complaints_version`).

The version costs three queries; a request asks for it once (`request_started` opens a memo for the
thread serving the request, `request_finished` drops it), so a page with several cached parts does
not pay it per part. Outside a request (commands, the nightly, tests calling selectors) nothing is
memoised: a write there is seen by the next read.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Max

from tenure.analytics.models import NightlyRun
from tenure.customers.models import RmAssignment
from tenure.ingest.models import ImportedFile

CACHE_SECONDS = 600
T = TypeVar("T")
_request = threading.local()  # .version: None outside a request, "" until the request first asks


def request_started(**_kwargs: Any) -> None:
    """Open the data-version memo of the request this thread now serves (connected in apps.py)."""
    _request.version = ""


def request_finished(**_kwargs: Any) -> None:
    """Close it: what this thread does next may follow a write."""
    _request.version = None


def data_version() -> str:
    """Changes whenever an import lands, a nightly step finishes or a book moves; asked once a request."""
    memo = getattr(_request, "version", None)
    if memo:
        return memo
    version = _data_version()
    if memo is not None:
        _request.version = version
    return version


def _data_version() -> str:
    imported = ImportedFile.objects.aggregate(at=Max("imported_at"), n=Count("id"))
    nightly = NightlyRun.objects.aggregate(at=Max("updated_at"))["at"]
    moved = RmAssignment.objects.aggregate(last=Max("id"))["last"]
    return f"{imported['at']}-{imported['n']}-{nightly}-{moved}"


def cached(namespace: str, key_parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, or its value cached under `key_parts` for the current data version."""
    digest = hashlib.sha256(repr((*key_parts, data_version())).encode()).hexdigest()[:32]
    key = f"tenure:{namespace}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


class CountedPaginator(Paginator):
    """A `Paginator` whose count — a scan of the whole list, half a second for a branch at a million
    customers — is kept as `cached` keeps a value: the pages of one list share it until the data
    changes. `key_parts` must name everything the list depends on (scope, filters)."""

    def __init__(self, object_list: Any, per_page: int, *, namespace: str, key_parts: tuple) -> None:
        super().__init__(object_list, per_page)
        self.namespace, self.key_parts = namespace, key_parts

    @cached_property
    def count(self) -> int:
        uncounted = Paginator(self.object_list, self.per_page)
        return cached(f"{self.namespace}.count", self.key_parts, lambda: uncounted.count)
