"""Links of the main menu. Each app's menu tag decides who sees its links; this writes them the same way."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import format_html_join
from django.utils.safestring import SafeString

NO_LINKS = SafeString("")
CURRENT = SafeString(' class="active" aria-current="page"')


def menu_links(links: Iterable[tuple[str, str]], *, active: str | None) -> SafeString:
    """`<a>` per (url, label); the one whose url is `active` is marked as the current page."""
    return format_html_join(
        "",
        '<a href="{}"{}>{}</a>',
        ((url, CURRENT if url == active else "", label) for url, label in links),
    )
