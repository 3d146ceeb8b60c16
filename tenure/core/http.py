"""Request helpers every app's views share: who is calling (client IP) and per-IP rate limits.

They live in the kernel so that a domain app never imports the `web` shell for them. The role check of
a page is `tenure.org.permissions.requires`.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from tenure.core.models import RateWindow


def client_ip(request: HttpRequest) -> str | None:
    """The caller's IP: REMOTE_ADDR, or the X-Forwarded-For hop written by our own trusted proxies.

    Only the last TENURE_PROXY_COUNT entries of X-Forwarded-For come from proxies we run, so the
    entry just before them is the client; anything further left is client-controlled and ignored.
    """
    hops = settings.TENURE_PROXY_COUNT
    forwarded = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")


def record_id(text: str | None) -> int | None:
    """A record id typed into a URL or form, or None: ASCII digits that fit a database integer
    ("²" passes `str.isdigit` and breaks `int`; 30 nines overflow PostgreSQL's bigint)."""
    if text and text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def over_rate_limit(scope: str, ip: str | None, *, limit: int, window: int) -> bool:
    """Count one request of `ip` under `scope`; True once more than `limit` arrived in the window
    (seconds) that began with the first of them. Counted in the database (`RateWindow`), so the
    limit holds across every server process; the key holds a keyed hash of the IP, never the address."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ip or 'unknown'}".encode()).hexdigest()[:24]
    key = f"{scope[:32]}:{digest}"
    now = timezone.now()
    with transaction.atomic():
        counted = RateWindow.objects.filter(key=key, started_at__gt=now - dt.timedelta(seconds=window))
        if counted.update(count=F("count") + 1):  # one atomic UPDATE: concurrent processes never lose a count
            return counted.values_list("count", flat=True).get() > limit
        # First request, or the window is over: start one (an upsert, so two processes may race here).
        RateWindow.objects.bulk_create(
            [RateWindow(key=key, started_at=now, count=1)],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["started_at", "count"],
        )
        RateWindow.objects.filter(started_at__lt=now - dt.timedelta(days=1)).delete()  # windows long over
    return limit < 1
