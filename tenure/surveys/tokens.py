"""Invitation tokens: 192 random bits, URL-safe; only their SHA-256 is stored.

A token is shown once (in the SMS export made when the wave is issued) and looked up by hash, so
neither the database nor a backup can be used to answer for a customer. Guessing is hopeless
(2^192) and rate-limited per IP besides.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 24


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
