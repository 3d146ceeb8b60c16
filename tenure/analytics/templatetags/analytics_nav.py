"""The menu links to the analytics pages, shown only to those who may open them.

A tag rather than an entry in the web app's navigation context processor, so the analytics app
owns its menu entries and the shared base template needs a single line.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tenure.core.menu import NO_LINKS, menu_links
from tenure.org.permissions import Perm, has_perm

register = template.Library()


@register.simple_tag(takes_context=True)
def analytics_nav(context, group: str = "insight") -> SafeString:
    """The analysis pages (`group` "insight") or the tier-rules editor ("settings")."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None:
        return NO_LINKS
    links = []
    if group == "insight" and has_perm(user, Perm.ANALYTICS_VIEW):
        links.append((reverse("analytics:overview"), _("Tiers & value")))
    if group == "insight" and has_perm(user, Perm.POTENTIAL_VIEW):
        links.append((reverse("analytics:potential"), _("Upgrade potential")))
    if group == "settings" and has_perm(user, Perm.TIER_RULES_EDIT):
        links.append((reverse("analytics:rules"), _("Tier rules")))
    return menu_links(links, active=request.path)
