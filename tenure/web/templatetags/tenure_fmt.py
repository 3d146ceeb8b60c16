"""Money, percentages and tier badges as a Chinese (or English) banker expects to read them."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from tenure.analytics.models import AssetTier
from tenure.core.figures import pct, signed_yuan_short, yuan, yuan_short
from tenure.customers.display import CHANNEL_LABELS, TXN_TYPE_LABELS

register = template.Library()

register.filter("yuan", yuan)
register.filter("yuan_short", yuan_short)
register.filter("signed_yuan_short", signed_yuan_short)
register.filter("pct", pct)


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
