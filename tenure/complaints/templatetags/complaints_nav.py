"""The menu link to the complaints pages, shown only to those who may open them (as `analytics_nav`)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tenure.core.menu import NO_LINKS, menu_links
from tenure.org.permissions import Perm, has_perm

register = template.Library()


@register.simple_tag(takes_context=True)
def complaints_nav(context) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None:
        return NO_LINKS
    if has_perm(user, Perm.COMPLAINTS_VIEW):
        url = reverse("complaints:queue")
    elif has_perm(user, Perm.COMPLAINTS_RECOVERY):
        url = reverse("complaints:analytics")
    elif has_perm(user, Perm.COMPLAINT_CAUSES_EDIT):
        url = reverse("complaints:causes")
    else:
        return NO_LINKS
    queue = reverse("complaints:queue")
    return menu_links([(url, _("Complaints"))], active=url if request.path.startswith(queue) else None)
