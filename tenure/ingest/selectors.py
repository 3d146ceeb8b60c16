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


def import_status() -> dict:
    """Counts for the home page."""
    return {
        "latest_business_date": latest_business_date(),
        "customers": Customer.objects.count(),
        "accounts": Account.objects.count(),
        "merchants": Merchant.objects.count(),
    }
