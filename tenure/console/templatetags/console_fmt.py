"""The console's labels and units as template filters."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tenure.console import display
from tenure.core.masking import mask_text
from tenure.org.models import Role

register = template.Library()


@register.filter
def table_label(code: str) -> str:
    return display.label(display.TABLE_LABELS, code)


@register.filter
def daily_step_label(code: str) -> str:
    return display.label(display.DAILY_STEP_LABELS, code)


@register.filter
def nightly_step_label(code: str) -> str:
    return display.label(display.NIGHTLY_STEP_LABELS, code)


@register.filter
def seconds(value) -> str:
    """A duration with its unit: 0.4 s, 12.3 s, 4 min 05 s."""
    if value is None:
        return "—"
    value = float(value)
    if value < 60:
        return _("%(s).1f s") % {"s": value}
    minutes, rest = divmod(int(round(value)), 60)
    return _("%(m)d min %(s)02d s") % {"m": minutes, "s": rest}


@register.filter
def step_counts(summary, step: str = "") -> str:
    """A step's summary as a short line of its non-zero counts in words with their units
    (`display.SUMMARY_LABELS`; whole numbers only: no timings, shares or identifiers); an unknown
    key reads as its words. A skipped step's sentence as it is."""
    if isinstance(summary, str):
        why = summary.removeprefix("skipped: ")
        return _("Skipped: %(why)s") % {"why": why} if why != summary else summary
    if not isinstance(summary, dict):
        return ""
    parts = []
    for key, value in summary.items():
        if key in display.HIDDEN or key.endswith("version"):
            continue
        if isinstance(value, dict):
            value = sum(v for v in value.values() if type(v) is int)
        if type(value) is int and value:
            words = display.summary_label(step, key)
            n = number_format(value, force_grouping=True)
            parts.append(words % {"n": n} if words else f"{key.replace('_', ' ')} {n}")
    return " · ".join(parts[:6])


@register.filter
def role_label(code: str) -> str:
    return str(dict(Role.choices).get(code, code))


@register.filter
def timestamp_date(value: float) -> dt.datetime:
    """A file's POSIX time as an aware datetime, for the `date` filter."""
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


@register.filter
def tree_indent(depth: int) -> str:
    """Ideographic spaces and a corner before a branch of `depth` (no inline styles: the CSP forbids them)."""
    return "\u3000" * max(depth - 1, 0) + ("└ " if depth else "")


@register.filter
def masked_line(text: str) -> str:
    """An error's first line, identifier-like numbers masked."""
    first = next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
    return mask_text(first)[:300]
