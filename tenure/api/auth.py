"""API tokens that expire and can be revoked.

DRF's `authtoken` keeps one token per member of staff and never expires it. A token here is valid
for `settings.API_TOKEN_DAYS` days (`TENURE_API_TOKEN_DAYS`, default 90) from when it was made;
an older one is refused with 401 and a line saying so, and the refusal is audited
(`auth.token_expired`, besides the `access.denied` every failed credential gets). Revoking deletes
the token. Made, listed and revoked by `tenure tokens` (docs/security.md, "API tokens").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from tenure.core.audit import audit
from tenure.org.auth import must_change_password
from tenure.org.models import Staff


def token_expires_at(token: Token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused once the token is older than API_TOKEN_DAYS days, or
    while its owner has still to replace a password someone else set."""

    def authenticate_credentials(self, key: str):
        user, token = super().authenticate_credentials(key)
        expires = token_expires_at(token)
        if timezone.now() >= expires:
            audit(
                action="auth.token_expired",
                actor=user,
                object_type="api_token",
                object_id=str(user.pk),
                detail={"created": token.created.isoformat(), "expired": expires.isoformat()},
            )
            raise exceptions.AuthenticationFailed(
                _("This API token expired on %(date)s: ask an administrator for a new one.")
                % {"date": timezone.localtime(expires).strftime("%Y-%m-%d %H:%M")}
            )
        if must_change_password(user):
            raise exceptions.AuthenticationFailed(
                _("Log in to the web app and choose your own password before using the API.")
            )
        return user, token


@dataclass(frozen=True)
class TokenRow:
    staff_id: int
    username: str
    full_name: str
    created: dt.datetime
    expires: dt.datetime

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires


def token_list() -> list[TokenRow]:
    """Every API token's owner, creation and expiry, oldest first (never the key itself)."""
    tokens = Token.objects.select_related("user").order_by("created")
    return [TokenRow(t.user.pk, t.user.username, t.user.full_name, t.created, token_expires_at(t)) for t in tokens]


def token_create(*, username: str) -> Token:
    """A new token for `username`, replacing (revoking) any earlier one. Raises Staff.DoesNotExist."""
    user = Staff.objects.get(username=username)
    with transaction.atomic():
        replaced = Token.objects.filter(user=user).delete()[0]
        token = Token.objects.create(user=user)
        audit(
            action="auth.token_create", object_type="api_token", object_id=str(user.pk), detail={"replaced": replaced}
        )
    return token


def token_revoke(
    *, username: str | None = None, expired: bool = False, by: Staff | None = None, ip_address: str | None = None
) -> list[str]:
    """Delete the token of `username`, or every expired token; the owners whose token went.
    `by`: the administrator revoking in the console (None: the `tenure tokens` command line)."""
    tokens = Token.objects.select_related("user")
    if username is not None:
        tokens = tokens.filter(user__username=username)
    if expired:
        tokens = tokens.filter(created__lte=timezone.now() - dt.timedelta(days=settings.API_TOKEN_DAYS))
    with transaction.atomic():
        rows = list(tokens.select_for_update())
        Token.objects.filter(pk__in=[t.pk for t in rows]).delete()
        for t in rows:
            audit(
                action="auth.token_revoke",
                actor=by,
                ip_address=ip_address,
                object_type="api_token",
                object_id=str(t.user.pk),
                detail={"user": t.user.username},
            )
    return [t.user.username for t in rows]
