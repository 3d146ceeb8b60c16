"""The menu link to surveys and the callback panel of the branch head's home page.

Tags rather than edits of the shared views, so the surveys app owns its menu entry and the shared
templates need a single line each; who may see them is `Perm.SURVEYS_RESULTS` / `Perm.SURVEY_CALLBACKS`.
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tenure.core.menu import NO_LINKS, menu_links
from tenure.org.permissions import Perm, has_perm
from tenure.surveys.selectors import callbacks_for

register = template.Library()


@register.simple_tag(takes_context=True)
def surveys_nav(context) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not (has_perm(user, Perm.SURVEYS_RESULTS) or has_perm(user, Perm.SURVEY_CALLBACKS)):
        return NO_LINKS
    url = reverse("surveys:list")
    return menu_links([(url, _("Surveys"))], active=url if request.path.startswith(url) else None)


@register.simple_tag(takes_context=True)
def survey_callbacks(context) -> SafeString:
    """Open callback tasks in the user's scope (nothing for roles that do not work them)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not has_perm(user, Perm.SURVEY_CALLBACKS):
        return NO_LINKS
    tasks = list(callbacks_for(user)[:20])
    return render_to_string("surveys/_callbacks_table.html", {"tasks": tasks}, request=request)
