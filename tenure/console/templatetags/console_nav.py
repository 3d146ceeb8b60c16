"""The menu link to the administration console, for those who hold `Perm.ADMIN_CONSOLE`."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tenure.core.menu import NO_LINKS, menu_links
from tenure.org.permissions import Perm, has_perm

register = template.Library()


@register.simple_tag(takes_context=True)
def console_nav(context) -> SafeString:
    request = context.get("request")
    if request is None or not has_perm(getattr(request, "user", None), Perm.ADMIN_CONSOLE):
        return NO_LINKS
    url = reverse("console:staff_list")
    return menu_links([(url, _("Console"))], active=url if request.path.startswith("/console/") else None)
