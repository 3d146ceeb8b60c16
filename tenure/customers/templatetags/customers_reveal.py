"""The reason codes offered by the reveal dialog (`customers/_masked.html`), wherever it is included."""

from __future__ import annotations

from django import template

from tenure.customers.models import RevealReason

register = template.Library()


@register.simple_tag
def reveal_reasons() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in RevealReason.choices]
