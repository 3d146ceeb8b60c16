"""Numbers of the points pages as a banker reads them."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def rate(value) -> str:
    """A discount rate in percent without trailing zeros: 0.3800 → "0.38%", 0.0500 → "0.05%"."""
    if value is None:
        return "—"
    # `:f` so 10.0000 reads "10", not normalize()'s "1E+1".
    return f"{Decimal(value).normalize():f}%"


@register.filter
def signed_points(value: int) -> str:
    """A change of a balance: "+120", "−35" (a true minus sign), "0"."""
    value = int(value or 0)
    return f"+{value:,}" if value > 0 else f"−{-value:,}" if value < 0 else "0"
