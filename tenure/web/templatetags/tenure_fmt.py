"""Money, percentages and tier badges as a Chinese (or English) banker expects to read them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import get_language

from tenure.analytics.models import AssetTier
from tenure.customers.display import CHANNEL_LABELS, TXN_TYPE_LABELS

register = template.Library()

_ZH_UNITS = ((Decimal("100000000"), "亿"), (Decimal("10000"), "万"))
_EN_UNITS = ((Decimal("1000000000"), "B"), (Decimal("1000000"), "M"))


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def yuan(value, places: int = 2) -> str:
    """¥1,234,567.89 — full amount with thousands separators (tables, exports)."""
    amount = _decimal(value)
    if amount is None:
        return ""
    quantum = Decimal(1).scaleb(-int(places))
    sign = "-" if amount < 0 else ""
    # Comma thousands and a point: the convention for ¥ amounts in Chinese and in English alike.
    return f"{sign}¥{abs(amount).quantize(quantum, ROUND_HALF_UP):,.{int(places)}f}"


@register.filter
def yuan_short(value) -> str:
    """Headline amounts: ¥1.23亿 / ¥456.78万 in Chinese, ¥1.23B / ¥4.57M in English."""
    amount = _decimal(value)
    if amount is None:
        return ""
    units = _ZH_UNITS if (get_language() or "zh-hans").startswith("zh") else _EN_UNITS
    for size, suffix in units:
        if abs(amount) >= size:
            sign = "-" if amount < 0 else ""
            return f"{sign}¥{(abs(amount) / size).quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}{suffix}"
    return yuan(amount, 0)


@register.filter
def signed_yuan_short(value) -> str:
    amount = _decimal(value)
    if amount is None:
        return ""
    return ("+" if amount > 0 else "") + yuan_short(amount)


@register.filter
def pct(value, places: int = 1) -> str:
    """A signed percentage; a change too small for `places` gets one more place rather than
    reading "-0.0%" (a fall of 0.04% on a large branch)."""
    if value is None:
        return "—"
    places = next((p for p in range(int(places), 5) if round(value, p)), int(places))
    shown = round(value, places) or 0  # no negative zero
    return f"{'+' if shown > 0 else ''}{number_format(shown, places)}%"


@register.simple_tag
def tier_badge(tier: str) -> str:
    """A coloured badge for an asset tier code."""
    label = dict(AssetTier.choices).get(tier, tier)
    return format_html('<span class="badge tier-{}">{}</span>', tier, label)


@register.filter
def channel_label(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code))


@register.filter
def txn_type_label(code: str) -> str:
    return str(TXN_TYPE_LABELS.get(code, code))


@register.filter
def masked_text(text: str) -> str:
    """Free text typed by staff, with identifier-like numbers masked (pages never show them whole)."""
    from tenure.core.masking import mask_text

    return mask_text(text or "")
