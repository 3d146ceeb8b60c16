"""The menu links of the offers app: the book's best open offers for RMs and branch heads, our
products' sales terms for those who maintain them."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tenure.core.menu import NO_LINKS, menu_links
from tenure.org.permissions import Perm, has_perm

register = template.Library()


@register.simple_tag(takes_context=True)
def offers_book_nav(context) -> SafeString:
    """ "Best open offers" for those who record customers' answers (RMs, branch heads)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not has_perm(user, Perm.OFFER_RESPONSE_RECORD):
        return NO_LINKS
    url = reverse("offers:book")
    return menu_links([(url, _("Best open offers"))], active=url if request.path.startswith(url) else None)


@register.simple_tag(takes_context=True)
def offers_nav(context) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not has_perm(user, Perm.OFFER_CATALOGUE_EDIT):
        return NO_LINKS
    url = reverse("offers:catalogue")
    return menu_links([(url, _("Our products"))], active=url if request.path.startswith(url) else None)
