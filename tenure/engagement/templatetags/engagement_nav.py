"""The menu links to the task list (those who work tasks) and the contact plan (administrators), and
`task_summary`, a task's line in the reader's language."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tenure.core.menu import NO_LINKS, menu_links
from tenure.engagement.display import task_summary
from tenure.org.permissions import Perm, has_perm

register = template.Library()
register.filter("task_summary", task_summary)


@register.simple_tag(takes_context=True)
def engagement_nav(context, group: str = "work") -> SafeString:
    """The task list (`group` "work") or the contact-plan editor ("settings")."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None:
        return NO_LINKS
    links = []
    if group == "work" and has_perm(user, Perm.TASKS_WORK):
        links.append((reverse("engagement:task_list"), _("Tasks")))
    if group == "settings" and has_perm(user, Perm.CONTACT_PLAN_EDIT):
        links.append((reverse("engagement:plan"), _("Contact plan")))
    active = next((url for url, _label in links if request.path.startswith(url)), None)
    return menu_links(links, active=active) if links else NO_LINKS
