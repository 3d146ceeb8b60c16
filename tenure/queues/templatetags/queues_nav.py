"""The menu link to the queues page, shown only to those who may open it (as `performance_nav`)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tenure.core.menu import NO_LINKS, menu_links
from tenure.org.permissions import Perm, has_perm

register = template.Library()


@register.simple_tag(takes_context=True)
def queues_nav(context) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not has_perm(user, Perm.QUEUES_VIEW):
        return NO_LINKS
    url = reverse("queues:page")
    return menu_links([(url, _("Queues and waiting"))], active=url if request.path.startswith(url) else None)
