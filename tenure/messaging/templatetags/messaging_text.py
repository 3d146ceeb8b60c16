"""`{{ message.body|staff_text }}`: a message's text as staff read it (personal link tokens hidden)."""

from __future__ import annotations

from django import template

from tenure.messaging.selectors import without_link_tokens

register = template.Library()


@register.filter
def staff_text(text: str) -> str:
    return without_link_tokens(text or "")
