"""The menu link to the customer messages (the outbox), for staff who see customers."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tenure.core.menu import NO_LINKS, menu_links
from tenure.org.permissions import Perm, has_perm

register = template.Library()


@register.simple_tag(takes_context=True)
def messaging_nav(context) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not (has_perm(user, Perm.CUSTOMERS_OWN_SUBTREE) or has_perm(user, Perm.CUSTOMERS_BANK_WIDE)):
        return NO_LINKS
    url = reverse("messaging:outbox")
    return menu_links([(url, _("Messages"))], active=url if request.path.startswith(url) else None)
