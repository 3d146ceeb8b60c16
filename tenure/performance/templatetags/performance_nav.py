"""The menu links of this app (scorecards, competitor comparison, evaluation dashboard), each shown
only to those who may open it (as `points_nav`)."""

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
    if request is None:
        return NO_LINKS
    pages = (
        (Perm.SCORECARDS_VIEW, "performance:scorecard", _("Scorecards")),
        (Perm.COMPETITORS_VIEW, "performance:competitors", _("Competitor comparison")),
        (Perm.EVALUATION_VIEW, "performance:evaluation", _("Evaluation dashboard")),
    )
    links = [(reverse(name), label) for perm, name, label in pages if has_perm(user, perm)]
    if not links:
        return NO_LINKS
    # The page's own link is the longest one its path starts with (the scorecards' is a prefix of all).
    active = max((url for url, _label in links if request.path.startswith(url)), key=len, default=None)
    return menu_links(links, active=active)
