"""`{% offer_send_form customer product %}`: on the 360° offers panel, the button that sends the
customer the offer of a suitable product by SMS or e-mail (for who may send one; reviewed first)."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from tenure.messaging.models import Channel
from tenure.org.permissions import Perm, has_perm

register = template.Library()


@register.simple_tag(takes_context=True)
def offer_send_form(context, customer, product) -> SafeString:
    request = context.get("request")
    if request is None or not has_perm(getattr(request, "user", None), Perm.OFFER_SEND):
        return mark_safe("")
    channels = [(c, Channel(c).label) for c in (Channel.SMS, Channel.EMAIL)]
    return render_to_string(
        "messaging/_offer_send.html",
        {"customer": customer, "product": product, "channels": channels},
        request=request,
    )
