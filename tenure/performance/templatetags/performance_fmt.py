"""Formats of the scorecard pages: unsigned shares and ratios with their unit, "—" when unknown."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def share(value, places: int = 1) -> str:
    """85.0 → "85.0%"; None (no base to divide by) → "—"."""
    if value is None:
        return "—"
    return f"{number_format(round(value, int(places)), int(places))}%"


@register.filter
def ratio(value, places: int = 1) -> str:
    """A plain number with fixed places; None → "—"."""
    if value is None:
        return "—"
    return number_format(round(value, int(places)), int(places))


@register.filter
def signed(value) -> str:
    """+3 / −2 / 0 for changes in counts."""
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else str(value)


@register.filter
def get_item(mapping, key):
    """mapping[key], None when absent (branch names by code)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def field_of(obj, name: str):
    """A figure of a scorecard line by its field name (the drill-down's column)."""
    return getattr(obj, name, "")


@register.filter
def minus(a, b):
    """a − b (AUM change of a line)."""
    try:
        return a - b
    except TypeError:
        return None
