"""The tiny bank of tests/factories.py plus a helper to file complaints against its customers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import bank, lake, login  # noqa: F401


def aware(*args: int) -> dt.datetime:
    """A local (Asia/Shanghai) aware datetime."""
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture(autouse=True)
def english():
    """Service-level messages in English (pages pick their language per request)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def file_complaint(bank):  # noqa: F811 - the fixture imported above
    """file_complaint("wang", severity=..., received_at=...) → a complaint recorded by the customer's RM."""
    from tenure.complaints.services import complaint_create

    def _file(key: str | None, *, by: str = "rm_a", **kwargs):
        kwargs.setdefault("channel", "counter")
        kwargs.setdefault("description", "柜台排队太久，工作人员态度不好。")
        customer = bank.customers[key] if key else None
        return complaint_create(by=bank.staff[by], customer=customer, **kwargs)

    return _file
