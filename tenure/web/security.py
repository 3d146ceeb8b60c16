"""Client identification for lock-out, audit and per-IP limits, and the session limits that are not cookies."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

LOGIN_TIME_KEY = "tenure_login_at"


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
    that began with the first of them. The cache key holds a keyed hash of the IP, never the
    address. The default local-memory cache counts per server process: use a shared cache
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


def session_expired(session, now: float | None = None) -> bool:
    """True when the session is older than the absolute limit (12 h from log-in by default)."""
    started = session.get(LOGIN_TIME_KEY)
    if started is None:
        return False
    return (now if now is not None else time.time()) - started > settings.SESSION_ABSOLUTE_SECONDS


def sessions_end_all(user) -> int:
    """Log `user` out everywhere: delete every live session of theirs and their API token.

    Sessions live 30 minutes at most, so the live set is small (about one per active staff member)
    and decoding it is cheaper than keeping a per-user session index.
    """
    from rest_framework.authtoken.models import Token

    ended = 0
    user_id = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == user_id:
            session.delete()
            ended += 1
    Token.objects.filter(user=user).delete()
    return ended
