"""`TENURE_EMAIL_URL` to Django's e-mail settings; imported by `tenure/settings.py`, so no Django here.

    smtp://user:password@host:port     plain SMTP (port 25 by default), AUTH when a user is given
    smtp+tls://user:password@host:587  STARTTLS after connecting
    smtps://user:password@host:465     TLS from the first byte
    console://                         print each message on standard output
    file:///path/to/dir                one file per connection in that folder

User and password are percent-decoded (a "@" in a password is "%40"). A small parser rather than a
dependency: five schemes, and the one that matters (smtp+tls) needs no more than this.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

SMTP = "django.core.mail.backends.smtp.EmailBackend"
BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": SMTP,
    "smtp+tls": SMTP,
    "smtps": SMTP,
}
DEFAULT_PORTS = {"smtp": 25, "smtp+tls": 587, "smtps": 465}


class EmailUrlError(ValueError):
    """The URL names a scheme or port Tenure cannot use; the message names it."""


def email_settings(url: str, *, timeout: float = 10.0) -> dict[str, Any]:
    """Django's EMAIL_* settings for `url`; `timeout` (seconds) bounds every SMTP socket operation."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in BACKENDS:
        raise EmailUrlError(f"TENURE_EMAIL_URL: unknown scheme {scheme!r} (use smtp, smtp+tls, smtps, console or file)")
    result: dict[str, Any] = {"EMAIL_BACKEND": BACKENDS[scheme]}
    if scheme == "file":
        result["EMAIL_FILE_PATH"] = unquote(parts.path)
        return result
    if scheme == "console":
        return result
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise EmailUrlError(f"TENURE_EMAIL_URL: {exc}") from None
    result |= {
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtps",
        "EMAIL_TIMEOUT": timeout,
    }
    return result
