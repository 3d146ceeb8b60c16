"""What gateways and customers send back: delivery receipts, SMS replies (退订 / TD), the unsubscribe page.

Callbacks are signed: `X-Tenure-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw request body
under TENURE_MESSAGING_CALLBACK_SECRET. Without a secret configured every callback is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

from django.conf import settings
from django.utils.dateparse import parse_datetime

from tenure.core.crypto import blind_index, normalise_identifier
from tenure.core.http import over_rate_limit
from tenure.customers.models import Customer
from tenure.messaging.models import ConsentField, ConsentSource
from tenure.messaging.services import consent_change, message_receipt

SIGNATURE_HEADER = "HTTP_X_TENURE_SIGNATURE"
# A reply that is only one of these words (any case, surrounding spaces and punctuation ignored)
# withdraws SMS consent: the opt-out words Chinese SMS clouds and carriers use.
OPT_OUT_WORDS = frozenset({"退订", "TD", "T", "UNSUBSCRIBE"})
_EDGES = re.compile(r"^[\s\W_]+|[\s\W_]+$")


def signature_valid(body: bytes, header: str) -> bool:
    """True when `header` is "sha256=<hex>" of `body` under the callback secret (compared in constant time)."""
    secret = settings.MESSAGING_CALLBACK_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def sign(body: bytes, secret: str) -> str:
    """The header value a gateway sends (and the tests use)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _moment(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def receipts_apply(payload: object) -> int:
    """Apply `{"receipts": [{"id": key, "status": "delivered"|"failed"|"bounced", "at": ISO, "error": ""}]}`;
    returns how many messages changed. Entries that do not parse are skipped."""
    entries = payload.get("receipts") if isinstance(payload, dict) else None
    if not isinstance(entries, list):
        return 0
    changed = 0
    for entry in entries[:1000]:
        if not isinstance(entry, dict):
            continue
        key, status = entry.get("id"), entry.get("status")
        if isinstance(key, str) and isinstance(status, str):
            error = entry.get("error")
            error = error if isinstance(error, str) else ""
            changed += message_receipt(key=key[:128], status=status, at=_moment(entry.get("at")), error=error)
    return changed


def is_opt_out(text: str) -> bool:
    return _EDGES.sub("", text).upper() in OPT_OUT_WORDS


def reply_apply(payload: object) -> bool:
    """An inbound SMS `{"from": mobile, "text": "TD", "at": ISO}`: an opt-out word withdraws the SMS
    consent of the customer with that mobile (blind index; several customers sharing it: each).
    True when a consent changed. Other replies are ignored (not stored: they may hold anything)."""
    if not isinstance(payload, dict):
        return False
    sender, text = payload.get("from"), payload.get("text")
    if not isinstance(sender, str) or not isinstance(text, str) or not is_opt_out(text):
        return False
    number = normalise_identifier(sender.removeprefix("+86").removeprefix("0086"))
    if not number:
        return False
    changed = False
    for customer in Customer.objects.filter(mobile_bidx=blind_index("mobile", number)):
        change = consent_change(
            customer=customer,
            field=ConsentField.SMS,
            value=False,
            source=ConsentSource.SMS_REPLY,
            at=_moment(payload.get("at")),
            note=text.strip()[:20],
        )
        changed = changed or change is not None
    return changed


def unsubscribe_limited(ip: str | None) -> bool:
    """Count one request to the public unsubscribe page against the caller's IP."""
    return over_rate_limit(
        "unsubscribe",
        ip,
        limit=settings.MESSAGING_UNSUBSCRIBE_LIMIT,
        window=settings.MESSAGING_UNSUBSCRIBE_WINDOW,
    )
