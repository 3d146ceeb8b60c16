"""Every log-in, log-out and failed log-in goes to the audit log; log-in starts the 12-hour clock."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tenure.core.audit import audit
from tenure.core.http import client_ip
from tenure.core.masking import mask_text
from tenure.web.security import LOGIN_TIME_KEY


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_TIME_KEY] = time.time()
    audit(action="auth.login", actor=user, ip_address=client_ip(request) if request is not None else None)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit(action="auth.logout", actor=user, ip_address=client_ip(request) if request is not None else None)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The username typed is kept (masked, in case someone typed an ID number into it); never the password.
    username = mask_text(str(credentials.get("username", "")))[:150]
    audit(
        action="auth.login_failed",
        detail={"username": username},
        ip_address=client_ip(request) if request is not None else None,
    )
