"""The session limits that are not cookies: the absolute session age, and logging out everywhere.

Client identification and per-IP limits are request helpers of every app: `tenure.core.http`.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

LOGIN_TIME_KEY = "tenure_login_at"


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
