"""The menu link to the points pages, shown only to those who may open them (as `analytics_nav`)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tenure.points.permissions import can_view_points

register = template.Library()


@register.simple_tag(takes_context=True)
def points_nav(context) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not can_view_points(user):
        return format_html("")
    url = reverse("points:list")
    active = request.path.startswith(url)
    return format_html('<a href="{}"{}>{}</a>', url, format_html(' class="active" aria-current="page"') if active
                       else "", _("Points"))  # fmt: skip
