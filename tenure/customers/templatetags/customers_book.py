"""`{% rm_history customer %}`: the RM history of one customer for the 360° page (docs/book.md), and
`{% book_nav %}`: the menu link to the book page for those who may open it."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tenure.core.menu import NO_LINKS, menu_links
from tenure.customers.book import rm_history as history_of
from tenure.customers.models import Customer
from tenure.org.permissions import Perm, has_perm

register = template.Library()


@register.inclusion_tag("customers/_rm_history.html")
def rm_history(customer: Customer) -> dict:
    """The latest changes of RM. `customer` is the page's, already looked up through scope."""
    return {"history": history_of(customer), "customer": customer}


@register.simple_tag(takes_context=True)
def book_nav(context) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not has_perm(user, Perm.BOOK_MANAGE):
        return NO_LINKS
    url = reverse("customers:book")
    return menu_links([(url, _("Books"))], active=url if request.path.startswith(url) else None)
