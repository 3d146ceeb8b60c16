"""The outbox page for staff (messages to customers in their branches, filtered, newest first), the
360° page's communication section and the offer an RM sends from the 360° offers panel."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tenure.core.http import client_ip
from tenure.customers.selectors import customer_get
from tenure.messaging.models import Channel, Purpose, Reason, Status
from tenure.messaging.selectors import bouncing_channels, customer_consent_changes, customer_messages, messages_for
from tenure.messaging.senders import ProductMessageRefused, offer_preview, offer_queue
from tenure.offers.selectors import own_products
from tenure.org.permissions import Perm, has_perm, requires

PER_PAGE = 50
PANEL_ROWS = 20
FILTERS = {"status": Status, "channel": Channel, "purpose": Purpose, "reason": Reason}


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """Texts are stored masked and no address is kept, so the page shows nothing to unmask."""
    g = request.GET
    filters = {name: g.get(name, "") for name, choices in FILTERS.items() if g.get(name, "") in choices.values}
    messages = messages_for(request.user)
    if filters:
        messages = messages.filter(**{name: value for name, value in filters.items() if value})
    page = Paginator(messages.order_by("-created_at", "-id"), PER_PAGE).get_page(g.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "choices": {name: choices.choices for name, choices in FILTERS.items()},
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "may_templates": has_perm(request.user, Perm.MESSAGE_TEMPLATES_EDIT)
        or has_perm(request.user, Perm.MESSAGE_TEMPLATES_APPROVE),
        "may_library": has_perm(request.user, Perm.MESSAGE_TEMPLATES_EDIT),
    }
    return render(request, "messaging/outbox.html", context)


@login_required
@require_GET
def customer_panel(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The 360° page's communication section (htmx partial): what was sent to the customer, newest
    first, with texts masked and link tokens hidden, and the history of their consents."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    sent, total = customer_messages(customer, limit=PANEL_ROWS)
    context = {
        "c": customer,
        "sent": sent,
        "more": max(0, total - len(sent)),
        "changes": customer_consent_changes(customer, limit=PANEL_ROWS),
        "bouncing": [Channel(channel).label for channel in bouncing_channels(customer)],
    }
    return render(request, "messaging/_customer_panel.html", context)


@requires(Perm.OFFER_SEND)
@require_POST
def offer_send(request: HttpRequest, customer_id: int) -> HttpResponse:
    """From the 360° offers panel: show what the customer will read (or why the product cannot be
    offered on that channel), then queue it on confirmation and say what happened."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    today = timezone.localdate()
    product = own_products(today).filter(code=request.POST.get("product", "")).first()
    channel = request.POST.get("channel", "")
    if product is None or channel not in (Channel.SMS, Channel.EMAIL):
        raise Http404
    if request.POST.get("confirm") != "1":
        context = {
            "customer": customer,
            "product": product,
            "channel": channel,
            "channel_label": Channel(channel).label,
        }
        try:
            context["subject"], context["text"] = offer_preview(
                customer=customer, product_code=product.code, channel=channel, on=today
            )
        except ProductMessageRefused as exc:
            context["refused"] = exc.verdict.labels
        return render(request, "messaging/offer_confirm.html", context)
    try:
        _message, created = offer_queue(
            customer=customer, product_code=product.code, channel=channel, on=today, by=request.user
        )
    except ProductMessageRefused as exc:
        flash.error(request, _("The offer was not sent: %(reasons)s.") % {"reasons": "; ".join(exc.verdict.labels)})
    else:
        words = {"product": product.name, "channel": Channel(channel).label}
        if created:
            flash.success(request, _("Queued: the offer of %(product)s goes to the customer by %(channel)s.") % words)
        else:
            flash.info(
                request, _("The offer of %(product)s was already queued today by %(channel)s: not sent twice.") % words
            )
    return redirect("customers:detail", customer.pk)
