"""Reads about imported data."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max

from tenure.customers.models import Account, Customer, Merchant
from tenure.ingest.models import ImportedFile


def latest_business_date() -> dt.date | None:
    return ImportedFile.objects.aggregate(d=Max("business_date"))["d"]


def imported_dates() -> list[dt.date]:
    return list(
        ImportedFile.objects.order_by().values_list("business_date", flat=True).distinct().order_by("business_date")
    )


def imported_digests(table: str) -> list[tuple[dt.date, str]]:
    """(business date, source sha256) of every committed import of `table`, oldest first: the
    ledger the lake checks its partitions against (`settings.LAKE_LEDGER`)."""
    rows = ImportedFile.objects.filter(table=table).order_by("business_date").values_list("business_date", "sha256")
    return list(rows)


def import_status() -> dict:
    """Counts for the home page."""
    return {
        "latest_business_date": latest_business_date(),
        "customers": Customer.objects.count(),
        "accounts": Account.objects.count(),
        "merchants": Merchant.objects.count(),
    }
