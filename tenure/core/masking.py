"""Masking of personal identifiers for pages, API responses, exports and logs."""

from __future__ import annotations

import logging
import re


def mask_mobile(value: str | None) -> str:
    """138****5678."""
    if not value:
        return ""
    v = value.strip()
    return v[:3] + "****" + v[-4:] if len(v) >= 8 else "****"


def mask_resident_id(value: str | None) -> str:
    """First 3 + last 4: 110***********123X."""
    if not value:
        return ""
    v = value.strip()
    return v[:3] + "*" * (len(v) - 7) + v[-4:] if len(v) > 7 else "****"


def mask_card(value: str | None) -> str:
    """At most first 6 + last 4 (card and account numbers)."""
    if not value:
        return ""
    v = value.strip()
    if len(v) <= 10:
        return "*" * (len(v) - 4) + v[-4:] if len(v) > 4 else "****"
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


mask_account = mask_card


def mask_email(value: str | None) -> str:
    """First character of the local part, then the domain: z***@example.com."""
    if not value or "@" not in value:
        return "" if not value else "***"
    local, domain = value.split("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_name(value: str | None) -> str:
    """Chinese convention: family name then *, e.g. 张*（张三丰 → 张**）."""
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)


# Anything in free text that looks like an identifier: resident IDs, card/account numbers, mobiles.
_RESIDENT_ID = re.compile(r"(?<![0-9])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9])")
_LONG_NUMBER = re.compile(r"(?<![0-9])(\d{6})(\d{3,9})(\d{4})(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(1[3-9]\d)(\d{4})(\d{4})(?![0-9])")


def mask_text(text: str) -> str:
    """Mask identifier-like digit runs inside arbitrary text (log lines, error reports)."""
    text = _RESIDENT_ID.sub(lambda m: m.group(1)[:3] + "*" * 11 + m.group(3)[-4:], text)
    text = _LONG_NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class MaskingLogFilter(logging.Filter):
    """Rewrites every log record so that no identifier reaches a log file in clear."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = ()
        return True
