"""The menu links to the analytics pages, shown only to those who may open them.

A tag rather than an entry in the web app's navigation context processor, so the analytics app
owns its permission check and the shared base template needs a single line.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tenure.analytics.permissions import can_edit_rules, can_view_analytics, can_view_potential
from tenure.core.menu import NO_LINKS, menu_links

register = template.Library()


@register.simple_tag(takes_context=True)
def analytics_nav(context) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None:
        return NO_LINKS
    links = []
    if can_view_analytics(user):
        links.append((reverse("analytics:overview"), _("Tiers & value")))
    if can_view_potential(user):
        links.append((reverse("analytics:potential"), _("Upgrade potential")))
    if can_edit_rules(user):
        links.append((reverse("analytics:rules"), _("Tier rules")))
    return menu_links(links, active=request.path)
