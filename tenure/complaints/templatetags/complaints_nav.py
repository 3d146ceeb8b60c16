"""The menu link to the complaints pages, shown only to those who may open them (as `analytics_nav`)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tenure.complaints.permissions import can_edit_causes, can_view_complaints, can_view_recovery
from tenure.core.menu import NO_LINKS, menu_links

register = template.Library()


@register.simple_tag(takes_context=True)
def complaints_nav(context) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None:
        return NO_LINKS
    if can_view_complaints(user):
        url = reverse("complaints:queue")
    elif can_view_recovery(user):
        url = reverse("complaints:analytics")
    elif can_edit_causes(user):
        url = reverse("complaints:causes")
    else:
        return NO_LINKS
    queue = reverse("complaints:queue")
    return menu_links([(url, _("Complaints"))], active=url if request.path.startswith(queue) else None)
