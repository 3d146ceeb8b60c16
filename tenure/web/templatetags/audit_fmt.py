"""Audit entries in words on pages: `{{ e.action|action_label }}`, `{{ e.object_type|object_label }}`,
`{{ e|entry_reason }}`, `{{ e.detail.field|identifier_label }}`."""

from __future__ import annotations

from django import template

from tenure.web import audit_labels

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return audit_labels.action_label(code)


@register.filter
def object_label(code: str) -> str:
    return audit_labels.object_label(code)


@register.filter
def entry_reason(entry) -> str:
    """The reason code in words and the masked free text."""
    return audit_labels.entry_reason(entry)


@register.filter
def identifier_label(field: str) -> str:
    return audit_labels.identifier_label(field)
