"""The menu link to the scorecards, shown only to those who may open them (as `points_nav`)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tenure.core.menu import NO_LINKS, menu_links
from tenure.org.permissions import Perm, has_perm

register = template.Library()


@register.simple_tag(takes_context=True)
def performance_nav(context) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not has_perm(user, Perm.SCORECARDS_VIEW):
        return NO_LINKS
    url = reverse("performance:scorecard")
    return menu_links([(url, _("Scorecards"))], active=url if request.path.startswith(url) else None)
