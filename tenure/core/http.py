"""Request helpers every app's views share: who is calling (client IP), per-IP rate limits, and the
role check of a page.

They live in the kernel so that a domain app never imports the `web` shell for them. Refusals raised
here (PermissionDenied) are written to the audit log by `web.denied`, Django's `handler403`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


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


def over_rate_limit(scope: str, ip: str | None, *, limit: int, window: int) -> bool:
    """Count one request of `ip` under `scope`; True once more than `limit` arrived in the window
    (seconds) that began with the first of them. The cache key holds a keyed hash of the IP, never
    the address. The default local-memory cache counts per server process: use a shared cache
    (Redis, Memcached, the database cache) with several processes."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ip or 'unknown'}".encode()).hexdigest()[:24]
    key = f"ratelimit:{scope}:{digest}"
    if cache.add(key, 1, timeout=window):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return False
    return count > limit


def allowed(check: Callable) -> Callable:
    """View decorator: log-in required, then `check(user)` or 403 (logged by `handler403`)."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
